/* base/csv.c -- RFC 4180 fields. See base/csv.h. */
#include "base/csv.h"

#include <stdlib.h>

static int needs_quotes(const char *s, int flags)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == ',' || c == '"' || (!(flags & BASE_CSV_ONELINE) && (c == '\n' || c == '\r')))
            return 1;
    }
    return 0;
}

size_t base_csv_quote(char *dst, size_t cap, const char *s, int flags)
{
    int quote = needs_quotes(s, flags);
    size_t n = 0;
#define PUT(ch) do { if (n + 1 < cap) dst[n] = (ch); n++; } while (0)
    if (quote)
        PUT('"');
    for (; *s; s++) {
        char c = *s;
        if ((flags & BASE_CSV_ONELINE) && ((unsigned char)c < 0x20 || c == 0x7f))
            c = ' ';
        if (c == '"')
            PUT('"');
        PUT(c);
    }
    if (quote)
        PUT('"');
#undef PUT
    if (cap)
        dst[n < cap ? n : cap - 1] = 0;
    return n;
}

int base_csv_field(FILE *f, const char *s, int flags)
{
    char small[256], *buf = small;
    size_t need = base_csv_quote(NULL, 0, s, flags);
    if (need >= sizeof small && !(buf = malloc(need + 1)))
        return EOF;
    base_csv_quote(buf, need + 1, s, flags);
    int rc = fputs(buf, f) < 0 ? EOF : 0;
    if (buf != small)
        free(buf);
    return rc;
}
