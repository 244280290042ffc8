/* plots/report_doc.h -- internal to plots/report.c: one document written in
 * two formats at once, Markdown (report.md) and self-contained HTML
 * (report.html), so the two never say different things.
 *
 * Text passed in is plain: each writer escapes it for its format (Markdown:
 * characters that would start markup; HTML: < > & "). plot_doc_image()
 * links DIR/NAME.png from the Markdown and inlines it in the HTML as a
 * base64 data: URI; a PNG that cannot be read sets d->err and d->errmsg
 * instead of failing the call, so the caller checks d->err after it.
 * Nothing here opens or closes the files: the caller owns md and html.
 */
#ifndef FORKCAST_PLOTS_REPORT_DOC_H
#define FORKCAST_PLOTS_REPORT_DOC_H

#include <limits.h>
#include <stdio.h>

typedef struct {
    FILE *md, *html;      /* borrowed */
    const char *dir;      /* where the images are */
    int err;              /* an image could not be read */
    char errmsg[PATH_MAX + 64];
} plot_doc;

typedef struct {
    int ncol;
    const char *align;    /* 'l' or 'r' per column */
} plot_doc_table;

/* s HTML-escaped into f. */
void plot_doc_html(FILE *f, const char *s);
void plot_doc_heading(plot_doc *d, int level, const char *text, const char *id);
void plot_doc_para(plot_doc *d, const char *text);
void plot_doc_parafmt(plot_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The verdict in bold; in HTML a box coloured by yes. */
void plot_doc_verdict(plot_doc *d, const char *verdict, int yes);
void plot_doc_table_head(plot_doc *d, const plot_doc_table *t, const char *const *head);
void plot_doc_table_row(plot_doc *d, const plot_doc_table *t, const char *const *cell);
void plot_doc_table_end(plot_doc *d);
/* The chart DIR/NAME.png with its alt text and a pointer to NAME.csv. */
void plot_doc_image(plot_doc *d, const char *name, const char *alt);

#endif
