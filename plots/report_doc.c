/* plots/report_doc.c -- Markdown and HTML written side by side. See
 * report_doc.h. */
#include "plots/report_doc.h"
#include "base/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void plot_doc_html(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
}

/* Markdown: escape what would start markup inside running text. */
static void md_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (strchr("|*_`[]<>\\", *s))
            fputc('\\', f);
        fputc(*s, f);
    }
}

void plot_doc_heading(plot_doc *d, int level, const char *text, const char *id)
{
    for (int i = 0; i < level; i++)
        fputc('#', d->md);
    fputc(' ', d->md);
    md_text(d->md, text);
    fputs("\n\n", d->md);
    fprintf(d->html, "<h%d%s%s%s>", level, id ? " id=\"" : "", id ? id : "", id ? "\"" : "");
    plot_doc_html(d->html, text);
    fprintf(d->html, "</h%d>\n", level);
}

void plot_doc_para(plot_doc *d, const char *text)
{
    md_text(d->md, text);
    fputs("\n\n", d->md);
    fputs("<p>", d->html);
    plot_doc_html(d->html, text);
    fputs("</p>\n", d->html);
}

void plot_doc_parafmt(plot_doc *d, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    plot_doc_para(d, buf);
}

void plot_doc_verdict(plot_doc *d, const char *verdict, int yes)
{
    fputs("**", d->md);
    md_text(d->md, verdict);
    fputs("**\n\n", d->md);
    fprintf(d->html, "<p class=\"verdict %s\">", yes ? "yes" : "no");
    plot_doc_html(d->html, verdict);
    fputs("</p>\n", d->html);
}

void plot_doc_table_head(plot_doc *d, const plot_doc_table *t, const char *const *head)
{
    fputs("|", d->md);
    for (int i = 0; i < t->ncol; i++) {
        fputc(' ', d->md);
        md_text(d->md, head[i]);
        fputs(" |", d->md);
    }
    fputs("\n|", d->md);
    for (int i = 0; i < t->ncol; i++)
        fputs(t->align[i] == 'r' ? "---:|" : ":---|", d->md);
    fputs("\n", d->md);
    fputs("<table>\n<thead><tr>", d->html);
    for (int i = 0; i < t->ncol; i++) {
        fprintf(d->html, "<th class=\"%c\">", t->align[i]);
        plot_doc_html(d->html, head[i]);
        fputs("</th>", d->html);
    }
    fputs("</tr></thead>\n<tbody>\n", d->html);
}

void plot_doc_table_row(plot_doc *d, const plot_doc_table *t, const char *const *cell)
{
    fputs("|", d->md);
    for (int i = 0; i < t->ncol; i++) {
        fputc(' ', d->md);
        md_text(d->md, cell[i]);
        fputs(" |", d->md);
    }
    fputs("\n", d->md);
    fputs("<tr>", d->html);
    for (int i = 0; i < t->ncol; i++) {
        fprintf(d->html, "<td class=\"%c\">", t->align[i]);
        plot_doc_html(d->html, cell[i]);
        fputs("</td>", d->html);
    }
    fputs("</tr>\n", d->html);
}

void plot_doc_table_end(plot_doc *d)
{
    fputs("\n", d->md);
    fputs("</tbody>\n</table>\n", d->html);
}

/* RFC 4648 base64 of in[0..n) into out (4 * ceil(n / 3) + 1 bytes). The
 * forkcast binary does not link libavutil (FFmpeg is loaded on first use by
 * calibrate/av_lazy.c), so av_base64_encode is not at hand here. */
static void base64(const unsigned char *in, size_t n, char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        out[o++] = a[v >> 18 & 63];
        out[o++] = a[v >> 12 & 63];
        out[o++] = i + 1 < n ? a[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? a[v & 63] : '=';
    }
    out[o] = 0;
}

/* The chart: a Markdown link to DIR/NAME.png, the PNG inlined in the HTML. */
void plot_doc_image(plot_doc *d, const char *name, const char *alt)
{
    char path[PATH_MAX], err[256];
    char *data = NULL, *b64 = NULL;
    size_t len = 0;
    fprintf(d->md, "![");
    md_text(d->md, alt);
    fprintf(d->md, "](%s.png)\n\nData: [%s.csv](%s.csv)\n\n", name, name, name);
    snprintf(path, sizeof path, "%s/%s.png", d->dir, name);
    if (base_read_file(path, &data, &len, err, sizeof err)) {
        d->err = 1;
        snprintf(d->errmsg, sizeof d->errmsg, "%s", err);
        free(data);
        return;
    }
    b64 = malloc((len + 2) / 3 * 4 + 1);
    if (!b64) {
        d->err = 1;
        snprintf(d->errmsg, sizeof d->errmsg, "%s: out of memory", path);
    } else {
        base64((const unsigned char *)data, len, b64);
        fputs("<figure><img alt=\"", d->html);
        plot_doc_html(d->html, alt);
        fprintf(d->html, "\" width=\"1200\" height=\"800\" src=\"data:image/png;base64,%s\">", b64);
        fputs("<figcaption>", d->html);
        plot_doc_html(d->html, alt);
        fprintf(d->html, " (data: %s.csv beside this file)</figcaption></figure>\n", name);
    }
    free(b64);
    free(data);
}
