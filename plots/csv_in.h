/* plots/csv_in.h -- the small CSV reader behind the charts drawn from files
 * (`forkcast sim --trace`, k,wall_s samples, `forkcast capacity --series`).
 * Internal to plots/.
 *
 * A file is a header line, then data lines; blank lines and lines starting
 * with '#' are skipped, a trailing '\r' is dropped. Fields are plain: no
 * quoting, no embedded commas. The whole file is read into memory and split
 * in place, so reading is O(size) and the field pointers stay valid until
 * plot_csvin_free().
 *
 * Ownership: plot_csvin_read() fills a caller-owned plot_csvin whose buffers
 * plot_csvin_free() releases (also after a failed read). Only a regular
 * file of at most 64 MiB is read (base_read_file). Errors: BASE_EINPUT
 * "FILE: data row N: ..." for malformed input (a NUL byte too), BASE_ERUNTIME when out of
 * memory or the file cannot be read; one line in err.
 */
#ifndef FORKCAST_PLOTS_CSV_IN_H
#define FORKCAST_PLOTS_CSV_IN_H

#include <stddef.h>

#define PLOT_CSVIN_MAXCOLS 64

typedef struct {
    char *text;                     /* owned, split in place */
    char **rows;                    /* owned array of row starts (data rows only) */
    int nrows;
    char *head[PLOT_CSVIN_MAXCOLS]; /* column names */
    int ncol;
    const char *file;               /* borrowed, for messages */
} plot_csvin;

int plot_csvin_read(plot_csvin *c, const char *file, char *err, size_t errsz);
void plot_csvin_free(plot_csvin *c);
/* The index of column name, or -1. */
int plot_csvin_col(const plot_csvin *c, const char *name);
/* idx[i] = the column of names[i]; BASE_EINPUT naming the first missing. */
int plot_csvin_need(const plot_csvin *c, const char *const *names, int n, int *idx, char *err,
                    size_t errsz);
/* Split data row r into f[0..ncol) (in place, once per row); BASE_EINPUT
 * when it has another number of fields than the header. */
int plot_csvin_fields(plot_csvin *c, int r, char **f, char *err, size_t errsz);
/* Field s of row r, column name, as a finite number. */
int plot_csvin_num(const plot_csvin *c, int r, const char *name, const char *s, double *out,
                   char *err, size_t errsz);

#endif
