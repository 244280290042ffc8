/* calibrate/provenance.c -- the "_provenance" record of a profile. See
 * provenance.h. */
#include "calibrate/provenance.h"
#include "kernels/kern.h"

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = 0;
    size_t lead = strspn(s, " \t");
    memmove(s, s + lead, n - lead + 1);
}

/* The value of the first "KEY<spaces/tabs>: value" line of a file, or "". */
static void file_key(const char *path, const char *key, char *buf, size_t n)
{
    char line[512];
    size_t kl = strlen(key);
    FILE *f = fopen(path, "r");
    buf[0] = 0;
    if (!f)
        return;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, kl) && strchr(line + kl, ':') && strspn(line + kl, " \t") == strcspn(line + kl, ":")) {
            snprintf(buf, n, "%s", strchr(line + kl, ':') + 1);
            trim(buf);
            break;
        }
    fclose(f);
}

void cal_machine_cpu(char *buf, size_t n)
{
    file_key("/proc/cpuinfo", "model name", buf, n);
    if (!buf[0]) /* e.g. arm64: no model name */
        file_key("/proc/cpuinfo", "Hardware", buf, n);
    if (!buf[0]) {
        struct utsname u;
        snprintf(buf, n, "%s CPU", uname(&u) == 0 ? u.machine : "unknown");
    }
}

void cal_machine_gpu(char *buf, size_t n)
{
    buf[0] = 0;
    DIR *d = opendir("/proc/driver/nvidia/gpus");
    for (struct dirent *e = d ? readdir(d) : NULL; e && !buf[0]; e = readdir(d)) {
        char path[512];
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/driver/nvidia/gpus/%s/information", e->d_name);
        file_key(path, "Model", buf, n);
    }
    if (d)
        closedir(d);
    if (!buf[0] && kern_cuda_available())
        snprintf(buf, n, "%s", kern_cuda_device_name());
}

static cJSON *machine_json(const char *ffmpeg)
{
    char cpu[256], gpu[256];
    struct utsname u;
    cal_machine_cpu(cpu, sizeof cpu);
    cal_machine_gpu(gpu, sizeof gpu);
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "cpu", cpu);
    cJSON_AddNumberToObject(m, "cores", (double)sysconf(_SC_NPROCESSORS_ONLN));
    cJSON_AddItemToObject(m, "gpu", gpu[0] ? cJSON_CreateString(gpu) : cJSON_CreateNull());
    cJSON_AddItemToObject(m, "ffmpeg", ffmpeg && *ffmpeg ? cJSON_CreateString(ffmpeg) : cJSON_CreateNull());
    if (uname(&u) == 0) {
        char os[300];
        snprintf(os, sizeof os, "%s %s %s", u.sysname, u.release, u.machine);
        cJSON_AddStringToObject(m, "os", os);
    }
    return m;
}

cJSON *cal_prov_new(const char *tool, const char *covers, const char *device, int machine, const char *ffmpeg)
{
    char date[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    cJSON *p = cJSON_CreateObject();
    if (!p)
        return NULL;
    cJSON_AddNumberToObject(p, "format", 1);
    cJSON_AddStringToObject(p, "tool", tool);
    cJSON_AddStringToObject(p, "covers", covers);
    cJSON_AddStringToObject(p, "date", date);
    if (device)
        cJSON_AddStringToObject(p, "device", device);
    cJSON_AddItemToObject(p, "machine", machine ? machine_json(ffmpeg) : cJSON_CreateNull());
    cJSON_AddObjectToObject(p, "fields");
    cJSON_AddArrayToObject(p, "warnings");
    return p;
}

cJSON *cal_prov_field(cJSON *prov, const char *field, const char *how)
{
    cJSON *fields = cJSON_GetObjectItemCaseSensitive(prov, "fields");
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "how", how);
    cJSON_AddItemToObject(fields, field, f);
    return f;
}

void cal_prov_fit(cJSON *f, double value, const double *ci, double r2, long n)
{
    cJSON_AddNumberToObject(f, "value", value);
    if (ci) {
        cJSON *a = cJSON_AddArrayToObject(f, "ci95");
        cJSON_AddItemToArray(a, cJSON_CreateNumber(ci[0]));
        cJSON_AddItemToArray(a, cJSON_CreateNumber(ci[1]));
    }
    if (r2 >= 0)
        cJSON_AddNumberToObject(f, "r2", r2);
    if (n > 0)
        cJSON_AddNumberToObject(f, "n", (double)n);
}

void cal_prov_mean_ci(double mean, double sd, long n, double ci[2])
{
    double h = n >= 2 && isfinite(sd) ? gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sd / sqrt((double)n) : 0;
    ci[0] = mean - h;
    ci[1] = mean + h;
}

void cal_prov_warn(cJSON *prov, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *at = prov;
    if (field)
        at = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(prov, "fields"), field);
    if (!at)
        return;
    cJSON *w = cJSON_GetObjectItemCaseSensitive(at, "warnings");
    if (!w)
        w = cJSON_AddArrayToObject(at, "warnings");
    cJSON_AddItemToArray(w, cJSON_CreateString(msg));
}
