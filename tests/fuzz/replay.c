/* tests/fuzz/replay.c -- a main() for a harness without libFuzzer: run every
 * regular file named, or found in a named folder, once through
 * LLVMFuzzerTestOneInput. `make test` replays tests/fuzz/corpus/NAME/ this
 * way with the plain compiler. Exit 0 when every input ran (a broken
 * contract aborts). */
#include "fuzz.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    static unsigned char buf[FUZZ_MAX_INPUT + 1];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    return 1;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    long n = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0)
            continue;
        if (!S_ISDIR(st.st_mode)) {
            n += run_file(argv[i]);
            continue;
        }
        DIR *d = opendir(argv[i]);
        char **names = NULL;
        size_t k = 0, cap = 0;
        for (struct dirent *e; d && (e = readdir(d));) {
            if (e->d_name[0] == '.')
                continue;
            if (k == cap && !(names = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *names)))
                return 1;
            names[k++] = strdup(e->d_name);
        }
        if (d)
            closedir(d);
        qsort(names, k, sizeof *names, cmp); /* a fixed order */
        for (size_t j = 0; j < k; j++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], names[j]);
            n += run_file(path);
            free(names[j]);
        }
        free(names);
    }
    fprintf(stderr, "%s: %ld inputs replayed, contract held\n", argv[0], n);
    return 0;
}
