/* cli/cmd_example.c -- `forkcast example`: a complete, commented scenario.
 * Every field the parser knows appears, filled; the alternatives that
 * exclude each other (workload sources and run lengths) appear as "_"
 * comment keys. tests/cli/example.sh checks it validates and is complete. */
#include "cli/cli.h"
#include "cli/opts.h"
#include "model/scenario.h"

#include <stdio.h>
#include <string.h>

static const char example[] =
"{\n"
"  \"_comment\": \"forkcast scenario. Times in s, sizes in MB (10^6 bytes), money in USD. Any time is a number or a distribution: {\\\"dist\\\":\\\"fixed\\\",\\\"value\\\":v}, uniform min/max, normal mean/sd (clamped at 0), lognormal median/p95 or mu/sigma, gamma mean/cv, exponential mean, weibull scale/shape, empirical samples; each may add \\\"shift\\\". Keys starting with _ are comments. An omitted overhead is 0. See docs/scenario.md.\",\n"
"  \"name\": \"overlay-t4-example\",\n"
"  \"job\": {\n"
"    \"_comment\": \"frames: the video's frame count (a distribution in capacity runs); input_mb: what each worker downloads; output_mb: the total output\",\n"
"    \"frames\": 300,\n"
"    \"input_mb\": 10,\n"
"    \"output_mb\": 10\n"
"  },\n"
"  \"stage\": {\n"
"    \"_comment\": \"per_frame_s: decode+work+encode per frame; a chunk of n frames costs the sum of n draws (exact for gamma/exponential/fixed, CLT normal otherwise)\",\n"
"    \"per_frame_s\": {\"dist\": \"gamma\", \"mean\": 0.025, \"cv\": 0.1},\n"
"    \"ffmpeg_start_s\": {\"dist\": \"uniform\", \"min\": 1, \"max\": 2},\n"
"    \"seek_s\": {\"dist\": \"fixed\", \"value\": 1.0}\n"
"  },\n"
"  \"platform\": {\n"
"    \"_comment\": \"Modal T4 prices (data/prices/modal.json). gpu: the GPU type this platform describes (forkcast plan prices others from data/prices/modal.json; docs/plan.md). Cost rate = gpu + cores*cpu + mem_gib*mem. max_containers 0 = unlimited.\",\n"
"    \"gpu\": \"T4\",\n"
"    \"cold_start_s\": {\"dist\": \"lognormal\", \"median\": 25, \"p95\": 45, \"shift\": 0},\n"
"    \"warm_start_s\": 1.0,\n"
"    \"request_s\": {\"dist\": \"exponential\", \"mean\": 0.15},\n"
"    \"download_mb_s\": 50,\n"
"    \"upload_mb_s\": 50,\n"
"    \"shared_download_mb_s\": 0,\n"
"    \"gpu_per_s\": 0.000164,\n"
"    \"cpu_per_core_s\": 0.0000131,\n"
"    \"cores\": 0.125,\n"
"    \"mem_per_gib_s\": 0.00000222,\n"
"    \"mem_gib\": 1,\n"
"    \"billing\": {\"granularity_s\": 1, \"minimum_s\": 0, \"includes_cold_start\": true},\n"
"    \"max_containers\": 10,\n"
"    \"min_containers\": 0,\n"
"    \"buffer_containers\": 0,\n"
"    \"scaledown_window_s\": 60,\n"
"    \"failure_rate_per_s\": 0,\n"
"    \"max_retries\": 3,\n"
"    \"_capacity\": \"capacity runs only (docs/capacity.md): max_queue inputs may wait at the cap (absent unlimited, 0 a loss system); queue_timeout_s drops a job waiting longer; max_inputs inputs share a container with total throughput concurrency_throughput[n-1] at n inputs (absent: linear); idle_rule last_idle|newest|oldest\",\n"
"    \"max_queue\": 100,\n"
"    \"queue_timeout_s\": 600,\n"
"    \"max_inputs\": 1,\n"
"    \"concurrency_throughput\": [1],\n"
"    \"idle_rule\": \"last_idle\"\n"
"  },\n"
"  \"parallel\": {\n"
"    \"_comment\": \"concat after the last chunk: concat_s + k * concat_per_chunk_s (one draw), billed none|cpu|gpu. chunks_per_gpu, speculative (after_fraction 0 = off) and failures are simulator effects. policy: auto | fixed:K | threshold:FRAMES:K (capacity runs).\",\n"
"    \"gpus\": [1, 2, 4, 8],\n"
"    \"concat_s\": 3,\n"
"    \"concat_per_chunk_s\": {\"dist\": \"gamma\", \"mean\": 1, \"cv\": 0.3},\n"
"    \"concat_billed\": \"none\",\n"
"    \"chunks_per_gpu\": 1,\n"
"    \"speculative\": {\"after_fraction\": 0},\n"
"    \"policy\": \"auto\"\n"
"  },\n"
"  \"sim\": {\"replications\": 10000, \"seed\": 1},\n"
"  \"decision\": {\n"
"    \"_comment\": \"beneficial: speedup >= min_speedup and cost ratio <= 1 + max_cost_increase\",\n"
"    \"min_speedup\": 1.2,\n"
"    \"max_cost_increase\": 0.25\n"
"  },\n"
"  \"workload\": {\n"
"    \"_comment\": \"capacity planning only. One arrival source (rate_per_hour, rate_per_hour_by_hour, interarrival_s: a renewal process with any gap distribution, or trace) and one run length (hours or jobs); the alternatives are shown as _ keys. initial_warm: containers warm at t = 0.\",\n"
"    \"rate_per_hour\": 83.3,\n"
"    \"_rate_per_hour_by_hour\": [20,15,10,10,10,20,40,80,120,140,150,150,140,130,130,120,110,100,90,80,60,50,40,30],\n"
"    \"_trace\": \"jobs.csv\",\n"
"    \"_interarrival_s\": {\"dist\": \"gamma\", \"mean\": 43.2, \"cv\": 2},\n"
"    \"hours\": 24,\n"
"    \"_jobs\": 2000,\n"
"    \"warmup_jobs\": 100,\n"
"    \"initial_warm\": 0\n"
"  }\n"
"}\n";

enum { O_FIELDS = 256 };

static const struct option options[] = {
    {"fields", no_argument, NULL, O_FIELDS},
    {NULL, 0, NULL, 0},
};

int cli_cmd_example(int argc, char **argv)
{
    cli_parser p;
    int fields = 0;
    cli_parser_init(&p, "example", NULL, options, NULL);
    for (int c; (c = cli_parser_next(&p, argc, argv)) != CLI_P_END;) {
        if (c == CLI_P_ERR)
            return CLI_EUSAGE;
        if (c == CLI_P_HELP) {
            printf("Usage: forkcast example [--fields] > scenario.json\n\n"
                   "Print a complete scenario with every field filled and commented; it validates\n"
                   "and runs as it is (forkcast advise scenario.json).\n\n"
                   "  --fields   list every scenario field path instead\n");
            return CLI_OK;
        }
        if (c == CLI_P_POS)
            return cli_usage_error("example: unexpected argument '%s'", p.val);
        fields = 1;
    }
    if (p.rest < argc)
        return cli_usage_error("example: unexpected argument '%s'", argv[p.rest]);
    if (fields) {
        for (const char *const *f = model_scenario_fields(); *f; f++)
            printf("%s\n", *f);
        return CLI_OK;
    }
    fputs(example, stdout);
    return CLI_OK;
}
