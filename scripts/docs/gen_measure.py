"""scripts/docs/gen_measure.py -- figures measured on this machine: the
calibrate examples of docs/calibrate.md, docs/cli.md's progress lines, the
timings of README.md, docs/model.md and docs/plan.md. Each region states
its noise (noise_text); the checker allows that much on a rerun."""
import json
import os

import docrun
from docrun import gen, run, fence, machine, tmpdir, thousands, timed, jrun, prose, TIME, MEAS, TIME_TEXT, MEAS_TEXT

SYNTH = ["sh", "-c", 'sleep $(awk "BEGIN{print 0.05 + 0.004*{frames}}")']


def in_tmp(name):
    return os.path.join(tmpdir(), name)


def cal_command():
    """The synthetic stage (0.05 + 0.004 frames s): (profile, table, stderr)."""
    out, err, _ = run(["calibrate", "command", "--frames", "30,60,120,240", "--repeats", "2", "-o", "cmd.json", "--"]
                      + SYNTH, both=True, env={"FORKCAST_PROGRESS_S": "1"}, cwd=tmpdir())
    return json.load(open(in_tmp("cmd.json"))), out, err


def example():
    if not os.path.exists(in_tmp("s.json")):
        open(in_tmp("s.json"), "w").write(run(["example"]))
    return "s.json"


def g4(x):
    return "%.4g" % x


def ci(v):
    return "[%s,%s]" % (g4(v[0]), g4(v[1]))


@gen("cal-command-json", tier="normal", noise=MEAS)
def cal_command_json():
    p, _, _ = cal_command()
    f = p["fit"]
    pts = ",".join('{"frames":%d,"seconds":%s}' % (x["frames"], g4(x["seconds"])) for x in f["points"][:2])
    return fence(
        '{"stage":{"per_frame_s":%s,"ffmpeg_start_s":%s},\n'
        ' "fit":{"per_frame_s":{"value":%s,"ci95":%s},\n'
        '        "fixed_s":{"value":%s,"ci95":%s},\n'
        '        "r2":%s,\n'
        '        "points":[%s,...]},\n'
        ' "_provenance":{"tool":"calibrate command","covers":"end_to_end","device":"unknown",\n'
        '                "machine":{...},"command":["sh","-c","..."],"fields":{...},"warnings":[]}}' % (
            g4(p["stage"]["per_frame_s"]), g4(p["stage"]["ffmpeg_start_s"]), g4(f["per_frame_s"]["value"]),
            ci(f["per_frame_s"]["ci95"]), g4(f["fixed_s"]["value"]), ci(f["fixed_s"]["ci95"]), "%.5g" % f["r2"], pts))


@gen("cal-command-note", tier="normal", noise=MEAS)
def cal_command_note():
    f = cal_command()[0]["fit"]
    return prose("recovers per_frame_s = %.3g [%.3g, %.3g] and fixed_s = %.2g (the\n"
            "extra %.0f ms is sh + awk + sleep starting; %s).\n" % (
                f["per_frame_s"]["value"], f["per_frame_s"]["ci95"][0], f["per_frame_s"]["ci95"][1],
                f["fixed_s"]["value"], 1e3 * (f["fixed_s"]["value"] - 0.05), MEAS_TEXT))


@gen("cal-provenance", tier="normal", noise=MEAS)
def cal_provenance():
    p, _, _ = cal_command()
    v = p["_provenance"]
    m = v["machine"]
    pf = v["fields"]["stage.per_frame_s"]
    return fence(
        '"_provenance": {"format": %d, "tool": "calibrate command", "covers": "end_to_end",\n'
        '  "date": "...", "device": "%s",\n'
        '  "machine": {"cpu": "%s", "cores": %d, "gpu": %s,\n'
        '              "ffmpeg": %s, "os": "..."},\n'
        '  "command": ["sh", "-c", "..."],\n'
        '  "fields": {"stage.per_frame_s": {"how": "%s",\n'
        '                                   "value": %s, "ci95": %s, "r2": %s, "n": %d},\n'
        '             "stage.ffmpeg_start_s": {...}},\n'
        '  "warnings": %s}' % (
            v["format"], v["device"], m["cpu"], m["cores"], json.dumps(m["gpu"]), json.dumps(m["ffmpeg"]), pf["how"],
            g4(pf["value"]), ci(pf["ci95"]).replace(",", ", "), "%.5g" % pf["r2"], pf["n"], json.dumps(v["warnings"])))


@gen("cal-applied", tier="normal", noise=MEAS)
def cal_applied():
    cal_command()
    _, err, _ = run(["advise", example(), "--with", "cmd.json"], both=True, cwd=tmpdir())
    return fence("\n".join(l for l in err.splitlines() if l.startswith("forkcast: applied")))


def kernels():
    run(["calibrate", "kernels", "--frames", "50", "--threads", "1", "--no-ffmpeg", "-o", "kern.json"], cwd=tmpdir())
    return json.load(open(in_tmp("kern.json")))


def pipeline():
    out = run(["calibrate", "pipeline", "--stage", "overlay", "--threads", "1", "--codec-threads", "1", "-o", "pipe.json"],
              cwd=tmpdir())
    return json.load(open(in_tmp("pipe.json"))), out


def phase_ms(table, name):
    for line in table.splitlines():
        w = line.split()
        if w and w[0] == name:
            return float(w[1])
    raise docrun.RunError("calibrate pipeline: no %s row" % name)


@gen("cal-kernel-only", tier="normal", noise=MEAS)
def cal_kernel_only():
    k = kernels()
    pj, table = pipeline()
    s = example()
    be_p = jrun(["advise", s, "--with", "pipe.json", "--no-sim", "--json"], cwd=tmpdir())["break_even_frames"]["2"]
    be_k = jrun(["advise", s, "--with", "kern.json", "--allow-kernel-only", "--no-sim", "--json"],
                cwd=tmpdir())["break_even_frames"]["2"]
    kmed = k["calibration"]["overlay_stats"]["median_s"]
    return prose("Measured on the %s at 1080p (CPU backend, one thread): the overlay\n"
            "kernel %.3f ms/frame (median), the whole overlay stage %.1f ms/frame (`calibrate\n"
            "pipeline`: decode %.1f, kernel %.1f, x264 encode %.1f); applied to `forkcast\n"
            "example`'s scenario, the 2-GPU break-even is %s frames with the pipeline\n"
            "profile and %s with the kernel-only one (%s).\n" % (
                machine(), 1e3 * kmed, phase_ms(table, "total"), phase_ms(table, "decode"), phase_ms(table, "kernel"),
                phase_ms(table, "encode"), thousands(be_p), thousands(be_k), MEAS_TEXT))


@gen("cal-kernel-refused")
def cal_kernel_refused():
    """advise --with a kernel-only profile: the one line it is refused with."""
    d = in_tmp("refuse")
    os.makedirs(d, exist_ok=True)
    run(["calibrate", "kernels", "--frames", "3", "--no-ffmpeg", "-o", "kern.json"], cwd=d)
    _, err, _ = run(["advise", "--with", "kern.json"], ok=(2,), both=True, cwd=d)
    return fence(err)


@gen("pipeline-encode-ms", tier="normal", noise=MEAS)
def pipeline_encode_ms():
    return "about %.0f ms per frame (`calibrate pipeline`, docs/calibrate.md)" % phase_ms(pipeline()[1], "encode")


_times = {}


def ffmpeg_cal(small=False):
    """calibrate ffmpeg, 1080p R = 3 (or the 320x240 clip, R = 2): (profile, summary, stderr); its wall
    time in _times."""
    import time
    name = "ffs.json" if small else "ff.json"
    args = ["calibrate", "ffmpeg", "--repeats", "2" if small else "3", "-o", name] + (["--size", "320x240"] if small else [])
    t0 = time.perf_counter()
    out, err, _ = run(args, both=True, cwd=tmpdir(), env={"FORKCAST_PROGRESS_S": "5"})
    _times.setdefault(name, time.perf_counter() - t0)
    return json.load(open(in_tmp(name))), out, err


def ffmpeg_secs(small=False):
    ffmpeg_cal(small)
    return _times["ffs.json" if small else "ff.json"]


@gen("cal-ffmpeg-json", tier="normal", noise=MEAS)
def cal_ffmpeg_json():
    d = ffmpeg_cal()[0]
    st, pa, c = d["stage"], d["parallel"], d["calibration"]
    cli, lib = c["seek"]["cli"], c["seek"]["lib"]
    cf = cli["fit"]
    p0 = cli["points"][1]
    sp = c["concat"]["split"]
    q = sp["points"][0]
    return fence(
        '{"stage":{"ffmpeg_start_s":{"dist":"lognormal","median":%s,"p95":%s},\n'
        '          "seek_s":{"dist":"uniform","min":%s,"max":%s}},\n'
        ' "parallel":{"concat_s":%s,"concat_per_chunk_s":%s},\n'
        ' "calibration":{"mode":"ffmpeg","ffmpeg_version":"%s","input":{...},\n'
        '   "startup":{"samples_s":[...],"first_run_s":%s,...},\n'
        '   "seek":{"gop":%d,"baseline":{...},\n'
        '           "cli":{"points":[{"position_s":%g,"frames_since_key":%d,"seconds":%s},...],\n'
        '                  "fit":{"per_frame_s":{"value":%s,"ci95":%s},\n'
        '                         "lookup_s":{"value":%s,"ci95":%s},"r2":%s}},\n'
        '           "lib":{"open_s":%s,"points":[...],"fit":{...}}},\n'
        '   "decode":{"per_frame_s":%s,...},"encode":{"preset":"%s","per_frame_s":%s,...},\n'
        '   "concat":{"split":{"points":[{"k":%d,"chunk_frames":%d,"chunk_mb":%s,"seconds":%s},...],\n'
        '                      "fit":{"per_chunk_s":{"value":%s,"ci95":%s},\n'
        '                             "concat_s":{"value":%s,"ci95":%s},"r2":%s}},\n'
        '             "fixed":{...}},\n'
        '   "notes":[...]}}' % (
            g4(st["ffmpeg_start_s"]["median"]), g4(st["ffmpeg_start_s"]["p95"]), g4(st["seek_s"]["min"]),
            g4(st["seek_s"]["max"]), g4(pa["concat_s"]), g4(pa["concat_per_chunk_s"]), c["ffmpeg_version"],
            g4(c["startup"]["first_run_s"]), c["seek"]["gop"], p0["position_s"], p0["frames_since_key"], g4(p0["seconds"]),
            g4(cf["per_frame_s"]["value"]), ci(cf["per_frame_s"]["ci95"]), g4(cf["lookup_s"]["value"]),
            ci(cf["lookup_s"]["ci95"]), "%.2g" % cf["r2"], g4(lib["open_s"]), g4(c["decode"]["per_frame_s"]),
            c["encode"]["preset"], g4(c["encode"]["per_frame_s"]), q["k"], q["chunk_frames"], "%.2g" % q["chunk_mb"],
            g4(q["seconds"]), g4(sp["fit"]["per_chunk_s"]["value"]), ci(sp["fit"]["per_chunk_s"]["ci95"]),
            g4(sp["fit"]["concat_s"]["value"]), ci(sp["fit"]["concat_s"]["ci95"]), "%.2g" % sp["fit"]["r2"]))


@gen("ffmpeg-lib-lookup", tier="normal", noise=MEAS)
def ffmpeg_lib_lookup():
    return "`lookup_s` ≈ %.2g s" % ffmpeg_cal()[0]["calibration"]["seek"]["lib"]["fit"]["lookup_s"]["value"]


@gen("ffmpeg-cost", tier="normal", noise=TIME)
def ffmpeg_cost():
    return prose("on the %s the 1080p default took %.0f s with R = 3, the\n"
            "320x240 test clip %.0f s with R = 2 (%s).\n" % (machine(), ffmpeg_secs(), ffmpeg_secs(True), TIME_TEXT))


@gen("ffmpeg-concat", tier="normal", noise=MEAS)
def ffmpeg_concat():
    f = ffmpeg_cal()[0]["calibration"]["concat"]["split"]["fit"]
    return "%.2f + %.3f·k s" % (f["concat_s"]["value"], f["per_chunk_s"]["value"])


@gen("ffmpeg-start", tier="normal", noise=MEAS)
def ffmpeg_start():
    return "about %.2f s" % ffmpeg_cal()[0]["stage"]["ffmpeg_start_s"]["median"]


@gen("progress-lines", tier="normal", noise=(1.0, 5))
def progress_lines():
    _, _, err = cal_command()
    lines = err.splitlines()
    first = next(l for l in lines if "runs (" in l and "about" in l)
    done = next(l for l in lines if "done" in l)
    ff = next(l for l in ffmpeg_cal()[2].splitlines() if "phases (" in l)
    return fence("%s\n%s\n%s" % (first, ff, done))


@gen("sweep-time", tier="normal", noise=TIME)
def sweep_time():
    t = timed([docrun.BIN, "sweep", "--frames", "10..1000000", "--per-frame", "0.001..10", "--points", "200",
               "--gpus", "1,2,3,4,6,8,12,16", "--csv"], n=5)
    return "200 × 200 × 8 in %.2f s of CPU on a %s, best of 5; %s" % (t, machine(), TIME_TEXT)


@gen("advise-time", tier="normal", noise=(3.0, 0.003))
def advise_time():
    t = timed([docrun.BIN, "advise"], n=20)
    return prose("`forkcast advise` on the default takes %.0f ms of CPU (the whole process, best of 20 on a\n"
            "%s; %s), including its 2000-replication Monte Carlo and the\n"
            "break-even search for k = 2, 4, 8. `make bench` gives the figures.\n" % (1e3 * t, machine(), TIME_TEXT))


@gen("model-gamma-time", tier="normal", noise=TIME)
def model_gamma_time():
    d = json.load(open(os.path.join(docrun.REPO, "data/scenarios/framing-t50.json")))
    d["stage"]["per_frame_s"] = {"dist": "gamma", "mean": 0.68, "cv": 0.3}
    d["parallel"]["concat_per_chunk_s"] = {"dist": "gamma", "mean": 0.25, "cv": 0.3}
    d["parallel"]["gpus"] = [1, 2, 4, 8, 16, 32]
    json.dump(d, open(in_tmp("framing-gamma.json"), "w"))
    t = timed([docrun.BIN, "model", in_tmp("framing-gamma.json")], n=3)
    return "takes %.2f s of CPU (best of 3; %s)" % (t, TIME_TEXT)


@gen("cal-negative-note", tier="normal", noise=MEAS)
def cal_negative_note():
    """The note of a fit whose fixed part comes out negative (a stage 0.004 frames - 0.04 s)."""
    _, err, _ = run(["calibrate", "command", "--frames", "100,200", "--repeats", "2", "-o", "neg.json", "--", "sh",
                     "-c", 'sleep $(awk "BEGIN{print 0.004*{frames} - 0.04}")'], both=True, cwd=tmpdir())
    return "`%s`" % next(l for l in err.splitlines() if "clamped at 0" in l)
