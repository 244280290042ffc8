/* tests/test_input.c -- strict input: base/text.h (one-line escaping,
 * did-you-mean), base/json.h (one value, no NUL, no duplicate keys) and
 * base_read_file (regular files only, size limit checked first). */
#include "base/json.h"
#include "base/status.h"
#include "base/text.h"
#include "harness.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void test_escape(void)
{
    char out[256];
    base_escape_line(out, sizeof out, "plain ascii", 11);
    CHECK_STR(out, "plain ascii");
    base_escape_line(out, sizeof out, "a\nb\rc\td", 7);
    CHECK_STR(out, "a\\nb\\rc\\td");
    base_escape_line(out, sizeof out, "\x1b[31m\x7f", 6);
    CHECK_STR(out, "\\x1b[31m\\x7f");
    /* valid UTF-8 stays; invalid bytes, overlong forms, surrogates, C1 and
     * U+2028 are escaped byte by byte */
    base_escape_line(out, sizeof out, "caf\xc3\xa9 \xe2\x82\xac", 9);
    CHECK_STR(out, "caf\xc3\xa9 \xe2\x82\xac");
    base_escape_line(out, sizeof out, "\xff\xc0\xaf", 3);
    CHECK_STR(out, "\\xff\\xc0\\xaf");
    base_escape_line(out, sizeof out, "\xed\xa0\x80", 3);
    CHECK_STR(out, "\\xed\\xa0\\x80");
    base_escape_line(out, sizeof out, "\xc2\x85|\xe2\x80\xa8", 6);
    CHECK_STR(out, "\\xc2\\x85|\\xe2\\x80\\xa8");
    base_escape_line(out, sizeof out, "\xe2\x82", 2); /* truncated sequence */
    CHECK_STR(out, "\\xe2\\x82");
    base_escape_line(out, sizeof out, "a\0b", 3);
    CHECK_STR(out, "a\\x00b");
    /* a short buffer never ends inside an escape or a character */
    CHECK(base_escape_line(out, 4, "\n\n\n", 3) == 2);
    CHECK_STR(out, "\\n");
    CHECK(base_escape_line(out, 3, "\xc3\xa9\xc3\xa9", 4) == 2);
    /* any input gives a line with no byte below 0x20 */
    unsigned char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    static char big[2048];
    size_t n = base_escape_line(big, sizeof big, (const char *)all, 256);
    int clean = n == strlen(big);
    for (size_t i = 0; i < n; i++)
        clean &= (unsigned char)big[i] >= 0x20 && big[i] != 0x7f;
    CHECK(clean);
}

static void test_did_you_mean(void)
{
    static const char *const keys[] = {"wall_s", "cost_usd", "speedup", "cost_ratio", NULL};
    CHECK_STR(base_did_you_mean("wal_s", keys), "wall_s");
    CHECK_STR(base_did_you_mean("cost_rato", keys), "cost_ratio");
    CHECK(base_did_you_mean("zzzzzz", keys) == NULL);
    CHECK(base_edit_distance("kitten", "sitting") == 3);
    CHECK(base_typo_max("ab") == 1 && base_typo_max("a_very_long_key") == 3);
}

/* parse TEXT (LEN bytes): status, and the message must contain NEEDLE. */
static void parse(const char *text, size_t len, int want, const char *needle)
{
    char err[512] = "";
    cJSON *root = NULL;
    char *copy = malloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = 0;
    int rc = base_json_parse(copy, len, "f.json", &root, err, sizeof err);
    CHECK(rc == want);
    CHECK((root != NULL) == (want == BASE_OK));
    if (needle && !strstr(err, needle))
        fprintf(stderr, "  message: %s (wanted '%s')\n", err, needle);
    CHECK(!needle || (strstr(err, needle) && !strncmp(err, "f.json: ", 8) && !strchr(err, '\n')));
    cJSON_Delete(root);
    free(copy);
}

#define P(s, want, needle) parse(s, sizeof(s) - 1, want, needle)

static void test_json(void)
{
    P("{\"a\": 1}\n\n  ", BASE_OK, NULL);
    P("{\"a\": 1} x", BASE_EINPUT, "more content after the JSON value on line 1");
    P("{\"a\": 1}\n{\"b\": 2}", BASE_EINPUT, "on line 2");
    P("{\"a\": 1}\n]", BASE_EINPUT, "more content");
    P("{\"a\": 1}\0 junk", BASE_EINPUT, "a NUL byte on line 1");
    P("{\"a\": \"x\\u0000y\"}", BASE_EINPUT, "\\u0000");
    P("{\"a\": \"x\\\\u0000y\"}", BASE_OK, NULL); /* an escaped backslash, then text */
    P("{\"a\": 1,\n \"b\": {\"c\": 1, \"c\": 2}}", BASE_EINPUT, "f.json: b.c: duplicate key");
    P("{\"job\": {}, \"x\": 0, \"job\": {}}", BASE_EINPUT, "f.json: job: duplicate key");
    P("{\"l\": [{\"k\": 1}, {\"k\": 1, \"k\": 2}]}", BASE_EINPUT, "f.json: l[1].k: duplicate key");
    /* many keys: the sorted path */
    P("{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,\"i\":1,\"e\":2}", BASE_EINPUT,
      "f.json: e: duplicate key");
    P("{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,\"i\":1,\"j\":2}", BASE_OK, NULL);
    P("{\"a\": 1,\n\n oops}", BASE_EINPUT, "invalid JSON near line 3");
    P("{\"a\": ", BASE_EINPUT, "unexpected end of file");
    P("", BASE_EINPUT, "unexpected end of file");
    /* a tree built in memory */
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "x", 1);
    cJSON_AddNumberToObject(o, "x", 2);
    char err[256];
    CHECK(base_json_check_unique(o, "m", err, sizeof err) == BASE_EINPUT);
    CHECK_STR(err, "m: x: duplicate key (given twice)");
    cJSON_Delete(o);
}

static void test_read_regular(void)
{
    char path[128], err[512], *text = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/fifo", dir);
    CHECK(mkfifo(path, 0600) == 0);
    /* no writer: must not block */
    CHECK(base_read_file(path, &text, &len, err, sizeof err) == BASE_EINPUT);
    CHECK(strstr(err, "is a FIFO, not a regular file") != NULL);
    CHECK(base_read_file(dir, &text, &len, err, sizeof err) == BASE_EINPUT);
    CHECK(strstr(err, "is a directory") != NULL);
    CHECK(base_read_file("/dev/zero", &text, &len, err, sizeof err) == BASE_EINPUT);
    CHECK(strstr(err, "is a character device") != NULL);
    CHECK(base_read_file("/nonexistent/x.json", &text, &len, err, sizeof err) == BASE_EINPUT);
    /* over the limit: refused from its size, before reading */
    snprintf(path, sizeof path, "%s/big", dir);
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    CHECK(fd >= 0 && ftruncate(fd, (off_t)BASE_READ_MAX + 1) == 0);
    close(fd);
    CHECK(base_read_file(path, &text, &len, err, sizeof err) == BASE_EINPUT);
    CHECK(strstr(err, "too large") != NULL);
    /* at the limit: read (a sparse file: zeros) */
    CHECK(truncate(path, 100) == 0);
    CHECK(base_read_file(path, &text, &len, err, sizeof err) == BASE_OK && len == 100 && text[100] == 0);
    free(text);
    text = NULL;
    cJSON *j = NULL;
    CHECK(base_json_load(path, &j, err, sizeof err) == BASE_EINPUT && strstr(err, "NUL byte"));
    int st;
    snprintf(path, sizeof path, "%s/fifo", dir);
    CHECK(base_fopen_regular(path, &st, err, sizeof err) == NULL && st == BASE_EINPUT);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/forkcast-test-input-XXXXXX");
    if (!mkdtemp(dir))
        abort();
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup of %s failed\n", dir);
}

TEST_MAIN(setup, test_escape, test_did_you_mean, test_json, test_read_regular, teardown)
