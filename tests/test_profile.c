/* tests/test_profile.c -- profiles (`--with`): a field replaces the
 * scenario's value whole, errors name the profile, kernel-only figures are
 * refused unless allowed, and the applied record and its line say what was
 * applied, from which file, measured how and where. */
#include "harness.h"
#include "calibrate/pipeline.h"
#include "model/profile.h"
#include "model/scenario.h"
#include "base/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/forkcast-test-profile-XXXXXX";
static char err[1024];

/* Write `text` to dir/name; returns the path (static ring of 4). */
static const char *put(const char *name, const char *text)
{
    static char paths[4][512];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, 512, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return p;
}

static const char *scen(void)
{
    return put("s.json", "{\"name\":\"s\",\"job\":{\"frames\":300},"
                         "\"stage\":{\"per_frame_s\":{\"dist\":\"gamma\",\"mean\":0.025,\"cv\":0.1},"
                         "\"ffmpeg_start_s\":{\"dist\":\"lognormal\",\"median\":1.5,\"p95\":2.5},"
                         "\"seek_s\":{\"dist\":\"uniform\",\"min\":0.5,\"max\":1.5}},"
                         "\"platform\":{\"gpu_per_s\":0.000164,\"billing\":{\"granularity_s\":1,"
                         "\"minimum_s\":10}}}");
}

/* A distribution in a profile replaces the scenario's whole: a uniform over
 * a lognormal is not merged into a mixed object (the bug of issue 10). */
static void test_replace_whole(void)
{
    const char *s = scen();
    const char *p = put("p.json", "{\"stage\":{\"ffmpeg_start_s\":{\"dist\":\"uniform\",\"min\":0.2,\"max\":0.4},"
                                  "\"seek_s\":0.3},\"platform\":{\"billing\":{\"minimum_s\":0}},"
                                  "\"calibration\":{\"anything\":1},\"_note\":\"x\"}");
    model_scenario sc;
    int rc = model_scenario_load(s, &p, 1, &sc, err, sizeof err);
    CHECK(rc == BASE_OK);
    if (rc)
        fprintf(stderr, "  %s\n", err);
    CHECK(sc.ffmpeg_start.kind == MODEL_DIST_UNIFORM);
    CHECK_NEAR(model_dist_mean(&sc.ffmpeg_start), 0.3, 1e-12);
    CHECK(sc.seek.kind == MODEL_DIST_FIXED);
    CHECK_NEAR(model_dist_mean(&sc.seek), 0.3, 1e-12);
    CHECK_NEAR(model_dist_mean(&sc.per_frame), 0.025, 1e-12); /* untouched */
    CHECK_NEAR(sc.bill_granularity_s, 1, 0);                  /* the section merged field by field */
    CHECK_NEAR(sc.bill_minimum_s, 0, 0);
    /* record: one entry per field, in order, the values as applied */
    CHECK(cJSON_GetArraySize(sc.applied) == 3);
    const cJSON *e = model_profile_entry(sc.applied, "stage.ffmpeg_start_s");
    CHECK(e != NULL);
    CHECK_STR(cJSON_GetObjectItem(e, "file")->valuestring, p);
    CHECK_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "value"), "dist")->valuestring, "uniform");
    CHECK_STR(cJSON_GetObjectItem(e, "covers")->valuestring, "given");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(e, "measured")));
    CHECK(model_profile_entry(sc.applied, "platform.billing.minimum_s") != NULL);
    CHECK(model_profile_entry(sc.applied, "platform.billing.granularity_s") == NULL);
    model_scenario_free(&sc);
    CHECK(sc.applied == NULL);
    /* no profile: no record */
    CHECK(model_scenario_load(s, NULL, 0, &sc, err, sizeof err) == BASE_OK);
    CHECK(sc.applied == NULL);
    model_scenario_free(&sc);
}

/* The later of two profiles giving a field wins, and only its entry stays. */
static void test_last_wins(void)
{
    const char *s = scen();
    const char *p[2];
    p[0] = put("a.json", "{\"stage\":{\"per_frame_s\":0.01}}");
    p[1] = put("b.json", "{\"stage\":{\"per_frame_s\":0.02}}");
    model_scenario sc;
    CHECK(model_scenario_load(s, p, 2, &sc, err, sizeof err) == BASE_OK);
    CHECK_NEAR(model_dist_mean(&sc.per_frame), 0.02, 1e-15);
    CHECK(cJSON_GetArraySize(sc.applied) == 1);
    CHECK_STR(cJSON_GetObjectItem(model_profile_entry(sc.applied, "stage.per_frame_s"), "file")->valuestring, p[1]);
    model_scenario_free(&sc);
}

static void expect_error(const char *const *p, int n, unsigned flags, const char *n1, const char *n2)
{
    model_scenario sc;
    err[0] = 0;
    int rc = model_scenario_load_flags(scen(), p, n, flags, &sc, err, sizeof err);
    CHECK(rc == BASE_EINPUT);
    CHECK(strchr(err, '\n') == NULL);
    CHECK(strstr(err, n1) != NULL);
    if (n2)
        CHECK(strstr(err, n2) != NULL);
    if (rc != BASE_EINPUT || !strstr(err, n1) || (n2 && !strstr(err, n2)))
        fprintf(stderr, "  message: %s\n", err);
    model_scenario_free(&sc);
}

/* Errors inside a profile name the profile; a combination that only fails
 * merged names the scenario and the profiles. */
static void test_errors_name_the_profile(void)
{
    const char *p = put("bad.json", "{\"stage\":{\"ffmpeg_start_s\":{\"dist\":\"lognormal\",\"min\":1}}}");
    expect_error(&p, 1, 0, "bad.json: stage.ffmpeg_start_s", NULL);
    p = put("bad2.json", "{\"stage\":{\"per_frame\":0.1}}");
    expect_error(&p, 1, 0, "bad2.json: stage.per_frame: unknown field", "per_frame_s");
    p = put("bad3.json", "[1]");
    expect_error(&p, 1, 0, "bad3.json: a profile must be a JSON object", NULL);
    /* min_containers 5 is fine alone; with the scenario's max 2 it is not */
    const char *q[2];
    q[0] = put("max.json", "{\"platform\":{\"max_containers\":2}}");
    q[1] = put("min.json", "{\"platform\":{\"min_containers\":5}}");
    expect_error(q, 2, 0, "min_containers", "(with --with ");
    if (!strstr(err, "max.json, ") || !strstr(err, "min.json)"))
        CHECK(!"combination error lists both profiles");
}

static const char kern_new[] =
    "{\"kernel_only\":{\"stage\":{\"per_frame_s\":{\"dist\":\"gamma\",\"mean\":0.0003,\"cv\":0.2}}},"
    "\"calibration\":{\"mode\":\"kernels\",\"stage\":\"overlay\"},"
    "\"_provenance\":{\"tool\":\"calibrate kernels\",\"covers\":\"kernel_only\",\"stage\":\"overlay\","
    "\"device\":\"cpu\",\"machine\":{\"cpu\":\"Test CPU\",\"gpu\":null},"
    "\"fields\":{\"stage.per_frame_s\":{\"how\":\"kernel call\",\"ci95\":[0.00029,0.00031],\"n\":50}}}}";

/* Kernel-only: refused without the flag (the stage's cost unchanged, the
 * reason said), applied and labelled with it; legacy kernels files too. */
static void test_kernel_only(void)
{
    const char *p = put("kern.json", kern_new);
    expect_error(&p, 1, 0, "kern.json: a kernel-only profile", "--allow-kernel-only");
    CHECK(strstr(err, "overlay kernel alone") != NULL);
    model_scenario sc;
    CHECK(model_scenario_load_flags(scen(), &p, 1, MODEL_PROFILE_ALLOW_KERNEL_ONLY, &sc, err, sizeof err) == BASE_OK);
    CHECK_NEAR(model_dist_mean(&sc.per_frame), 0.0003, 1e-15);
    const cJSON *e = model_profile_entry(sc.applied, "stage.per_frame_s");
    CHECK(e && cJSON_IsTrue(cJSON_GetObjectItem(e, "kernel_only")));
    CHECK(e && !strcmp(cJSON_GetObjectItem(e, "covers")->valuestring, "kernel_only"));
    char line[1024];
    model_profile_line(e, &sc, line, sizeof line);
    CHECK(strstr(line, "KERNEL ONLY: decode/encode excluded") != NULL);
    CHECK(strstr(line, "gamma(mean 0.3 ms, cv 0.2) per frame, mean in [0.29, 0.31] ms from ") != NULL);
    CHECK(strstr(line, "measured on Test CPU, no GPU") != NULL);
    CHECK(strstr(line, "not on the scenario's T4") != NULL);
    model_scenario_free(&sc);
    /* the old format: the figure in "stage", calibration.mode "kernels" */
    p = put("kold.json", "{\"stage\":{\"per_frame_s\":0.0003},\"calibration\":{\"mode\":\"kernels\","
                         "\"stage\":\"framing\",\"device\":\"cpu\"}}");
    expect_error(&p, 1, 0, "kold.json: a kernel-only profile", "framing kernel alone");
}

/* The line names the device a profile was measured on: a GPU from the
 * _provenance record, and the GPU of scripts/gpu-run.sh's file (which keeps
 * calibration.gpu and each run's own JSON). */
static void test_line_names_the_gpu(void)
{
    const char *p = put("gpu.json",
                        "{\"stage\":{\"per_frame_s\":{\"dist\":\"gamma\",\"mean\":0.0051,\"cv\":0.3}},"
                        "\"_provenance\":{\"tool\":\"calibrate pipeline\",\"covers\":\"end_to_end\","
                        "\"device\":\"NVIDIA H200\",\"machine\":{\"cpu\":\"Host CPU\",\"gpu\":\"NVIDIA H200\"},"
                        "\"fields\":{\"stage.per_frame_s\":{\"ci95\":[0.005,0.0052],\"n\":250}}}}");
    model_scenario sc;
    char line[1024];
    CHECK(model_scenario_load(scen(), &p, 1, &sc, err, sizeof err) == BASE_OK);
    model_profile_line(model_profile_entry(sc.applied, "stage.per_frame_s"), &sc, line, sizeof line);
    CHECK(strstr(line, "stage.per_frame_s = gamma(mean 5.1 ms, cv 0.3) per frame, mean in [5, 5.2] ms from ") != NULL);
    CHECK(strstr(line, "(calibrate pipeline, end to end, 250 samples, measured on NVIDIA H200 (host CPU Host CPU); not on the scenario's T4)"));
    if (!strstr(line, "measured on NVIDIA H200"))
        fprintf(stderr, "  line: %s\n", line);
    model_scenario_free(&sc);

    /* Measured on the scenario's own GPU type (platform.gpu T4): no caveat. */
    p = put("t4.json", "{\"stage\":{\"per_frame_s\":0.02},\"_provenance\":{\"tool\":\"calibrate pipeline\","
                       "\"covers\":\"end_to_end\",\"device\":\"Tesla T4\"}}");
    CHECK(model_scenario_load(scen(), &p, 1, &sc, err, sizeof err) == BASE_OK);
    model_profile_line(model_profile_entry(sc.applied, "stage.per_frame_s"), &sc, line, sizeof line);
    CHECK(strstr(line, "measured on Tesla T4") != NULL);
    CHECK(strstr(line, "not on the scenario") == NULL);
    model_scenario_free(&sc);

    p = put("run.json", "{\"stage\":{\"per_frame_s\":0.0061},\"calibration\":{\"mode\":\"gpu-run\","
                        "\"gpu\":\"NVIDIA H100 80GB HBM3\",\"stage_per_frame_s_from\":\"ref\","
                        "\"runs\":[{\"name\":\"other\",\"result\":{}},{\"name\":\"ref\",\"result\":{"
                        "\"_provenance\":{\"machine\":{\"cpu\":\"Xeon 8480\",\"gpu\":\"NVIDIA H100 80GB HBM3\"},"
                        "\"fields\":{\"stage.per_frame_s\":{\"n\":250,\"ci95\":[0.006,0.0062]}}}}}]}}");
    CHECK(model_scenario_load(scen(), &p, 1, &sc, err, sizeof err) == BASE_OK);
    model_profile_line(model_profile_entry(sc.applied, "stage.per_frame_s"), &sc, line, sizeof line);
    CHECK(strstr(line, "6.1 ms/frame [6, 6.2]") != NULL);
    CHECK(strstr(line, "scripts/gpu-run.sh: calibrate pipeline run ref, end to end") != NULL);
    CHECK(strstr(line, "measured on NVIDIA H100 80GB HBM3 (host CPU Xeon 8480)") != NULL);
    if (!strstr(line, "measured on NVIDIA H100"))
        fprintf(stderr, "  line: %s\n", line);
    model_scenario_free(&sc);
}

/* A command fit of the old format: r², interval, a warning; --per-frame. */
static void test_line_fit_and_override(void)
{
    const char *p = put("cmd.json", "{\"stage\":{\"per_frame_s\":0.0271,\"ffmpeg_start_s\":0.05},"
                                    "\"fit\":{\"per_frame_s\":{\"value\":0.0271,\"ci95\":[0.0202,0.0339]},"
                                    "\"fixed_s\":{\"value\":0.05,\"ci95\":[0.01,0.09]},\"r2\":0.89}}");
    model_scenario sc;
    char line[1024];
    CHECK(model_scenario_load(scen(), &p, 1, &sc, err, sizeof err) == BASE_OK);
    cJSON *e = (cJSON *)model_profile_entry(sc.applied, "stage.per_frame_s");
    model_profile_line(e, &sc, line, sizeof line);
    CHECK(strstr(line, "stage.per_frame_s = 27.1 ms/frame [20.2, 33.9] from ") != NULL);
    CHECK(strstr(line, "(calibrate command, end to end, r\u00b2 0.89, ") != NULL);
    model_profile_line(model_profile_entry(sc.applied, "stage.ffmpeg_start_s"), &sc, line, sizeof line);
    CHECK(strstr(line, "stage.ffmpeg_start_s = 0.05 s [0.01, 0.09] from ") != NULL);
    model_profile_overridden(sc.applied, "stage.per_frame_s", "--per-frame");
    model_profile_line(e, &sc, line, sizeof line);
    CHECK(strstr(line, "; overridden by --per-frame") != NULL);
    model_scenario_free(&sc);
}

/* The real writers: calibrate pipeline's JSON of a CUDA run on an H200
 * (cal_pipeline_json of a result as the run fills it), alone and inside the
 * file scripts/gpu-run.sh assembles (its "stage" copied to the top, the run
 * whole under calibration.runs): both applied lines name the GPU. */
static void test_pipeline_json_names_the_gpu(void)
{
    cal_pipeline_result r;
    memset(&r, 0, sizeof r);
    cal_pipeline_opts_default(&r.opts);
    r.opts.stage = "overlay";
    r.opts.backend = KERN_CUDA;
    snprintf(r.input, sizeof r.input, "clip_1920x1080.mp4");
    snprintf(r.device, sizeof r.device, "NVIDIA H200");
    snprintf(r.decoder, sizeof r.decoder, "h264");
    snprintf(r.encoder, sizeof r.encoder, "libx264");
    snprintf(r.enc_note, sizeof r.enc_note, "no NVENC on this card");
    r.frames = 250;
    r.decode_s = 0.25, r.kernel_s = 0.05, r.download_s = 0.1, r.encode_s = 4.6, r.wall_s = 5.0;
    r.per_frame.n = 250, r.per_frame.mean_s = 0.02, r.per_frame.sd_s = 0.004;
    r.per_frame.median_s = 0.0199, r.per_frame.p10_s = 0.016, r.per_frame.p90_s = 0.024;
    const char *devs[CAL_PHASES] = {"nvdec", "none", "cuda", "pcie", "cpu"};
    for (int i = 0; i < CAL_PHASES; i++)
        r.phase_dev[i] = devs[i];
    cJSON *run = cal_pipeline_json(&r);
    CHECK(run != NULL);
    if (!run)
        return;
    char *text = cJSON_Print(run);
    const char *p = put("pipe.json", text);
    free(text);
    model_scenario sc;
    char line[1024];
    CHECK(model_scenario_load(scen(), &p, 1, &sc, err, sizeof err) == BASE_OK);
    const cJSON *e = model_profile_entry(sc.applied, "stage.per_frame_s");
    model_profile_line(e, &sc, line, sizeof line);
    CHECK(strstr(line, "(calibrate pipeline, end to end, 250 samples, measured on NVIDIA H200 (host CPU ") != NULL);
    CHECK(strstr(line, "warning: encode fell back to the CPU: no NVENC on this card") != NULL);
    CHECK(strstr(line, "not on the scenario's T4") != NULL); /* an H200 figure for a T4 scenario */
    const cJSON *how = cJSON_GetObjectItem(cJSON_GetObjectItem(e, "fit"), "how");
    CHECK(how && strstr(how->valuestring, "decode on nvdec, kernel on cuda, download on pcie, encode on cpu"));
    if (!strstr(line, "measured on NVIDIA H200"))
        fprintf(stderr, "  line: %s\n", line);
    model_scenario_free(&sc);

    /* scripts/gpu-run.sh's file */
    cJSON *top = cJSON_CreateObject(), *cal, *runs, *one;
    cJSON_AddItemToObject(top, "stage", cJSON_Duplicate(cJSON_GetObjectItem(run, "stage"), 1));
    cal = cJSON_AddObjectToObject(top, "calibration");
    cJSON_AddStringToObject(cal, "mode", "gpu-run");
    cJSON_AddStringToObject(cal, "gpu", "NVIDIA H200");
    cJSON_AddStringToObject(cal, "stage_per_frame_s_from", "overlay-1080p-cuda");
    runs = cJSON_AddArrayToObject(cal, "runs");
    one = cJSON_CreateObject();
    cJSON_AddStringToObject(one, "name", "overlay-1080p-cuda");
    cJSON_AddItemToObject(one, "result", run);
    cJSON_AddItemToArray(runs, one);
    text = cJSON_Print(top);
    p = put("H200-run.json", text);
    free(text);
    cJSON_Delete(top);
    CHECK(model_scenario_load(scen(), &p, 1, &sc, err, sizeof err) == BASE_OK);
    model_profile_line(model_profile_entry(sc.applied, "stage.per_frame_s"), &sc, line, sizeof line);
    CHECK(strstr(line, "stage.per_frame_s = gamma(mean 20 ms, cv 0.2) per frame, mean in [19.5, 20.5] ms") != NULL);
    CHECK(strstr(line, "scripts/gpu-run.sh: calibrate pipeline run overlay-1080p-cuda, end to end") != NULL);
    CHECK(strstr(line, "measured on NVIDIA H200 (host CPU ") != NULL);
    if (!strstr(line, "measured on NVIDIA H200"))
        fprintf(stderr, "  line: %s\n", line);
    model_scenario_free(&sc);
}

static void setup(void)
{
    CHECK(mkdtemp(dir) != NULL);
}

static void teardown(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

TEST_MAIN(setup, test_replace_whole, test_last_wins, test_errors_name_the_profile, test_kernel_only,
          test_line_names_the_gpu, test_line_fit_and_override, test_pipeline_json_names_the_gpu, teardown)
