/* calibrate/provenance.h -- the "_provenance" record every calibrate mode
 * writes into its profile: what the profile covers, what the measured work
 * ran on, the machine, and how each scenario field in it was obtained (fit
 * quality included). Format (docs/calibrate.md, "What a profile says it
 * measured"; read back by model/profile.h):
 *
 *   "_provenance": {"format": 1, "tool": "calibrate command",
 *     "covers": "end_to_end" | "kernel_only" | "ffmpeg_overheads" | "fitted_platform",
 *     "date": "2026-02-01T12:00:00Z",
 *     "device": "cpu" | "<GPU name>" | "unknown" (a command: GPU use not known),
 *     "machine": {"cpu": "<model name>", "cores": n, "gpu": "<name>" | null,
 *                 "ffmpeg": "<version>" | null, "os": "Linux 6.1 x86_64"} | null,
 *     "fields": {"stage.per_frame_s": {"how": "...", "value": v, "ci95": [lo, hi],
 *                                      "r2": r, "n": samples, "warnings": [...], ...}, ...},
 *     "warnings": ["r² 0.41 < 0.95: ...", ...]}     (about every field)
 *
 * The key starts with "_", so the scenario parser treats it as a comment: a
 * profile stays a valid scenario fragment and a fitted scenario a valid
 * scenario.
 *
 * Ownership: cal_prov_new() returns an owned tree (cJSON_Delete, or add it
 * to a profile); the others return borrowed nodes inside it. Costs: reading
 * /proc/cpuinfo and /proc/driver/nvidia (when there) once per record; the
 * GPU probe may initialise the CUDA runtime (kernels/kern.h).
 */
#ifndef FORKCAST_CALIBRATE_PROVENANCE_H
#define FORKCAST_CALIBRATE_PROVENANCE_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* A record with an empty "fields" and "warnings". machine: 1 to describe
 * this machine, 0 for none (a fit to experiments ran elsewhere). ffmpeg:
 * the FFmpeg version the measurement used, NULL for none. */
cJSON *cal_prov_new(const char *tool, const char *covers, const char *device, int machine,
                    const char *ffmpeg);

/* fields[field] = {"how": how}, returned for more keys. */
cJSON *cal_prov_field(cJSON *prov, const char *field, const char *how);
/* f.value, f.ci95 (nullable ci) and, when r2 >= 0, f.r2; n > 0 adds f.n. */
void cal_prov_fit(cJSON *f, double value, const double *ci, double r2, long n);
/* The 95% interval of a mean of n samples with standard deviation sd
 * (Student t, n - 1 dof; the mean itself when n < 2). */
void cal_prov_mean_ci(double mean, double sd, long n, double ci[2]);
/* Append a warning (printf format) to prov.warnings (it concerns every
 * field), or with a field to fields[field].warnings (it concerns that one:
 * the field record must exist). */
void cal_prov_warn(cJSON *prov, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* This machine's CPU model ("Intel(R) Xeon(R) ..."; uname's machine when
 * /proc/cpuinfo has none) and its first NVIDIA GPU's name (the driver's
 * /proc record, else a CUDA probe), or "" when there is none. */
void cal_machine_cpu(char *buf, size_t n);
void cal_machine_gpu(char *buf, size_t n);

#endif
