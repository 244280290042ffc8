/* base/csv.h -- CSV fields quoted per RFC 4180, for every CSV forkcast
 * writes (--csv results, chart CSVs, traces and series).
 *
 * A field is written as is when it holds no comma, double quote, CR or LF;
 * otherwise inside double quotes with each double quote doubled. With
 * BASE_CSV_ONELINE, CR, LF and the other control characters become spaces
 * first: for CSVs read one record per line (gnuplot reads the chart CSVs so),
 * where a quoted line break would split the record. Costs O(length).
 */
#ifndef FORKCAST_BASE_CSV_H
#define FORKCAST_BASE_CSV_H

#include <stddef.h>
#include <stdio.h>

enum { BASE_CSV_RFC = 0, BASE_CSV_ONELINE = 1 };

/* The field for s into dst (at most cap - 1 bytes and a NUL; cap may be 0
 * with dst NULL). Returns the length the whole field needs, like snprintf:
 * at most 2 * strlen(s) + 2. */
size_t base_csv_quote(char *dst, size_t cap, const char *s, int flags);

/* The field for s written to f. 0, or EOF when a write failed. */
int base_csv_field(FILE *f, const char *s, int flags);

#endif
