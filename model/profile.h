/* model/profile.h -- calibration profiles (`--with FILE`): applying one to a
 * scenario's JSON tree, and the record of what each one applied and how it
 * was measured (docs/calibrate.md, "What a profile says it measured").
 *
 * Applying: every scenario field the profile gives replaces the scenario's
 * value WHOLE -- a number, a string, a list or a distribution object alike;
 * a distribution is never merged key by key. Sections ("stage",
 * "platform.billing", ...: any prefix of a field path of
 * model_scenario_fields()) merge field by field. Skipped: keys starting with
 * "_" at any depth (comments; "_provenance" is read, not applied), and at
 * the top level the metadata "calibration" and "fit", and the
 * "kernel_only" section unless MODEL_PROFILE_ALLOW_KERNEL_ONLY.
 *
 * Kernel-only profiles (`calibrate kernels`: the kernel alone, decode and
 * encode excluded) carry their figure in the top-level "kernel_only"
 * section, never in "stage". Applying one without the flag is BASE_EINPUT
 * with a one-line explanation; with it, the section's fields are applied
 * and every record says "kernel only". A legacy kernels profile (its
 * figure in "stage", "calibration.mode" "kernels") is treated the same way.
 *
 * What a profile says about itself: its "_provenance" object (written by
 * every calibrate mode), or, for files written before it existed, what can
 * be read from "calibration" / "fit" / "_fit" (the gpu-run file of
 * scripts/gpu-run.sh included); a hand-written fragment is "given".
 *
 * The applied record is a cJSON array, one entry per field applied, the
 * last profile to give a field winning (its earlier entry is dropped):
 *   {"field","value","file","covers","source","measured","device",
 *    "machine":{cpu,gpu,ffmpeg}|null,"fit":{...}|null,"warnings":[...],
 *    "kernel_only":bool,"overridden_by":"--per-frame" (only when it is)}
 * covers: "end_to_end", "kernel_only", "ffmpeg_overheads",
 * "fitted_platform" or "given" (not measured).
 *
 * Ownership: arrays and entries are caller-owned cJSON (cJSON_Delete);
 * inputs are borrowed. Costs: linear in the profile's size.
 */
#ifndef FORKCAST_MODEL_PROFILE_H
#define FORKCAST_MODEL_PROFILE_H

#include "model/scenario.h"

#include <cjson/cJSON.h>
#include <stddef.h>

#define MODEL_PROFILE_ALLOW_KERNEL_ONLY 1u

/* Apply `prof` (parsed from `file`, named in messages) to `root` in place.
 * The profile's own fields are validated first, applied to a minimal
 * scenario, so an error inside the profile names `file`. Appends to
 * `applied` (a cJSON array) when it is not NULL. BASE_EINPUT for a
 * profile that is not an object, a bad field, or a refused kernel-only
 * profile; BASE_ERUNTIME for memory. */
int model_profile_apply(cJSON *root, const cJSON *prof, const char *file, unsigned flags, cJSON *applied,
                        char *err, size_t errsz);

/* The applied-profile line for one entry of the record, no newline, e.g.
 * "stage.per_frame_s = 27.1 ms/frame [20.2, 33.9] from stage.json
 * (calibrate command, end to end, r² 0.89, measured on <cpu>, no GPU;
 * not on the scenario's T4)". `s` (nullable) is the scenario it was
 * applied to, for the comparison with its platform. */
void model_profile_line(const cJSON *entry, const model_scenario *s, char *buf, size_t n);

/* Mark the entry of `field`, if any, as overridden by command-line option
 * `by`. */
void model_profile_overridden(cJSON *applied, const char *field, const char *by);

/* The entry of `field` in the record, or NULL. */
const cJSON *model_profile_entry(const cJSON *applied, const char *field);

/* "end_to_end" -> "end to end" etc.; the covers value itself otherwise. */
const char *model_profile_covers_text(const char *covers);

#endif
