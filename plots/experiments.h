/* plots/experiments.h -- internal to plots/: the experiments the decision
 * map marks, as measured (chart_model.c draws them).
 *
 * plot_exp_load() reads every DIR/data/experiments/ *.json (the files
 * `forkcast calibrate fit` reads, docs/calibrate.md; DIR is
 * plot_data_dir()'s), in name order, and takes from each what was measured:
 * the job (known job.frames, stage.per_frame_s), the platform's warm pool
 * (known platform.min_containers) and, per observed GPU count k > 1, the
 * speedup against 1 GPU (the observation's "speedup", else wall_s at 1 GPU /
 * wall_s at k) and the cost ratio ("cost_ratio", else cost_usd at k /
 * cost_usd at 1; NAN when neither is there). The headline is the k with the
 * largest measured speedup. Nothing here is a model output: the map labels
 * these "measured", on the experiment's own platform, and what the model
 * says at the same point on the map's platform a projection.
 *
 * Cost: one JSON parse per file. Errors: BASE_EINPUT naming the file and
 * field for an experiments file that cannot be read or lacks what the map
 * needs; BASE_ERUNTIME when the directory cannot be listed. No files at all
 * is not an error (n = 0).
 */
#ifndef FORKCAST_PLOTS_EXPERIMENTS_H
#define FORKCAST_PLOTS_EXPERIMENTS_H

#include <stddef.h>

#define PLOT_EXP_MAX 16

typedef struct {
    char tag[32];            /* the name's first word: "T50" */
    char file[512];          /* as found, for messages */
    double frames, per_frame; /* the job */
    int min_containers;      /* warm pool of its platform; -1 when not known */
    int gpus;                /* the headline: the measured k with the largest speedup */
    double speedup, cost_ratio; /* measured at gpus against 1 GPU; cost_ratio NAN if not measured */
} plot_exp;

int plot_exp_load(const char *dir, plot_exp *out, int max, int *n, char *err, size_t errsz);

/* "T50 measured: 3.56x on 4 warm GPUs (cost 1.00x)": "warm" when the warm
 * pool holds all k containers, "cold" when it is 0, else "(m warm)". */
void plot_exp_label(const plot_exp *e, char *buf, size_t n);

#endif
