/* sim/cap_trace.c -- the capacity trace reader: "arrival_s,frames[,stage]"
 * lines streamed from disk (sim/cap_impl.h). */
#include "sim/cap_impl.h"

#include "base/status.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>


int sim_cap_trace_open(sim_cap_trace *t, const model_scenario *s, char *err, size_t errsz)
{
    memset(t, 0, sizeof *t);
    t->s = s;
    t->last = -INFINITY;
    t->f = fopen(s->trace, "r");
    if (!t->f)
        return base_errf(err, errsz, BASE_EINPUT, "%s: workload.trace: cannot read %s (%s)", s->file,
                          s->trace, strerror(errno));
    return BASE_OK;
}

void sim_cap_trace_close(sim_cap_trace *t)
{
    if (t->f)
        fclose(t->f);
    free(t->line);
    t->f = NULL;
    t->line = NULL;
}

int sim_cap_trace_next(sim_cap_trace *t, double *at, long *frames, char *err, size_t errsz)
{
    const model_scenario *s = t->s;
    ssize_t len;
    while ((len = getline(&t->line, &t->cap, t->f)) >= 0) {
        t->lineno++;
        char *p = t->line;
        while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
            p[--len] = 0;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#')
            continue;
        if (!t->seen_content++ && isalpha((unsigned char)*p))
            continue; /* header */
        char *end;
        errno = 0;
        double a = strtod(p, &end);
        if (end == p || errno || !isfinite(a) || a < 0 || *end != ',')
            goto bad_line;
        p = end + 1;
        double fr = strtod(p, &end);
        if (end == p || errno || !(fr >= 1 && fr <= MODEL_MAX_FRAMES) || fr != floor(fr)) {
            base_errf(err, errsz, BASE_EINPUT,
                       "%s: workload.trace: %s line %ld: frames must be an integer between 1 and %ld",
                       s->file, s->trace, t->lineno, MODEL_MAX_FRAMES);
            return -BASE_EINPUT;
        }
        while (*end == ' ' || *end == '\t')
            end++;
        const char *stage = "";
        if (*end == ',') {
            stage = end + 1;
            while (*stage == ' ' || *stage == '\t')
                stage++;
            char *e = (char *)stage + strlen(stage);
            while (e > stage && (e[-1] == ' ' || e[-1] == '\t'))
                *--e = 0;
        } else if (*end) {
            goto bad_line;
        }
        if (a < t->last) {
            base_errf(err, errsz, BASE_EINPUT,
                       "%s: workload.trace: %s line %ld: trace out of order (arrival_s %g is before %g "
                       "on line %ld)", s->file, s->trace, t->lineno, a, t->last, t->last_line);
            return -BASE_EINPUT;
        }
        t->last = a;
        t->last_line = t->lineno;
        if (*stage && strcmp(stage, s->name)) {
            if (!t->other[0])
                snprintf(t->other, sizeof t->other, "%s", stage);
            continue;
        }
        *at = a;
        *frames = (long)fr;
        return 1;
    }
    if (ferror(t->f)) {
        base_errf(err, errsz, BASE_EINPUT, "%s: workload.trace: %s: read error", s->file, s->trace);
        return -BASE_EINPUT;
    }
    return 0;
bad_line:
    base_errf(err, errsz, BASE_EINPUT,
               "%s: workload.trace: %s line %ld: expected arrival_s,frames[,stage] with arrival_s >= 0",
               s->file, s->trace, t->lineno);
    return -BASE_EINPUT;
}
