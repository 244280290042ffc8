/* plots/csv_in.c -- the charts' CSV reader. See csv_in.h. */
#include "plots/csv_in.h"
#include "base/status.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void plot_csvin_free(plot_csvin *c)
{
    free(c->text);
    free(c->rows);
}

/* Read FILE: a header line, then data lines; blank lines and lines starting
 * with '#' are skipped. Fields are plain (no quoting). */
int plot_csvin_read(plot_csvin *c, const char *file, char *err, size_t errsz)
{
    memset(c, 0, sizeof *c);
    c->file = file;
    size_t len = 0;
    int rc = base_read_file(file, &c->text, &len, err, errsz);
    if (rc)
        return rc;
    const char *nul = memchr(c->text, 0, len);
    if (nul) {
        int line = 1;
        for (const char *p = c->text; p < nul; p++)
            line += *p == '\n';
        return base_errf(err, errsz, BASE_EINPUT, "%s: a NUL byte on line %d (not a CSV text file)", file, line);
    }
    size_t cap = 1024;
    c->rows = malloc(cap * sizeof *c->rows);
    if (!c->rows)
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: out of memory", file);
    int header = 0;
    for (char *line = c->text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r')
            line[--len] = 0;
        if (!len || line[0] == '#')
            continue;
        if (!header) {
            header = 1;
            for (char *tok = line, *comma; tok; tok = comma ? comma + 1 : NULL) {
                comma = strchr(tok, ',');
                if (comma)
                    *comma = 0;
                if (c->ncol == PLOT_CSVIN_MAXCOLS)
                    return base_errf(err, errsz, BASE_EINPUT, "%s: header: more than %d columns", file, PLOT_CSVIN_MAXCOLS);
                c->head[c->ncol++] = tok;
            }
            continue;
        }
        if ((size_t)c->nrows == cap) {
            char **r = realloc(c->rows, (cap *= 2) * sizeof *r);
            if (!r)
                return base_errf(err, errsz, BASE_ERUNTIME, "%s: out of memory", file);
            c->rows = r;
        }
        c->rows[c->nrows++] = line;
    }
    if (!header)
        return base_errf(err, errsz, BASE_EINPUT, "%s: empty (expected a CSV header line)", file);
    if (c->nrows == 0)
        return base_errf(err, errsz, BASE_EINPUT, "%s: no data rows", file);
    return BASE_OK;
}

int plot_csvin_col(const plot_csvin *c, const char *name)
{
    for (int i = 0; i < c->ncol; i++)
        if (!strcmp(c->head[i], name))
            return i;
    return -1;
}

int plot_csvin_need(const plot_csvin *c, const char *const *names, int n, int *idx, char *err, size_t errsz)
{
    for (int i = 0; i < n; i++)
        if ((idx[i] = plot_csvin_col(c, names[i])) < 0)
            return base_errf(err, errsz, BASE_EINPUT, "%s: header: missing column '%s'", c->file, names[i]);
    return BASE_OK;
}

/* Split row r into fields (in place, once). */
int plot_csvin_fields(plot_csvin *c, int r, char **f, char *err, size_t errsz)
{
    int n = 0;
    for (char *tok = c->rows[r], *comma; tok; tok = comma ? comma + 1 : NULL) {
        comma = strchr(tok, ',');
        if (comma)
            *comma = 0;
        if (n < PLOT_CSVIN_MAXCOLS)
            f[n] = tok;
        n++;
    }
    if (n != c->ncol)
        return base_errf(err, errsz, BASE_EINPUT, "%s: data row %d: %d fields, header has %d", c->file, r + 1, n,
                          c->ncol);
    return BASE_OK;
}

int plot_csvin_num(const plot_csvin *c, int r, const char *name, const char *s, double *out, char *err, size_t errsz)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v))
        return base_errf(err, errsz, BASE_EINPUT, "%s: data row %d: %s: not a finite number (got '%s')", c->file,
                          r + 1, name, s);
    *out = v;
    return BASE_OK;
}
