/*
 * cli/cmd_emu.c -- `kizuna emu`: the RAN emulator as a process.  A scenario's gNBs connect to
 * a RIC and live through a day in real time (--speed 1), faster (--speed N), or -- without a
 * RIC -- as fast as the CPU allows; the ground truth goes to a CSV or JSON Lines file.
 * Everything interesting lives in src/emu behind include/kizuna/emu.h; this file is flags.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "emu/scenario.h"
#include "kizuna/emu.h"
#include "kizuna/error.h"
#include "kizuna/loop.h"

#define KZ__MAX_FAULTS 16

typedef struct kz__fault {
    uint32_t cell;
    enum kz_emu_fault kind;
    double factor, at_s;
    bool done;
} kz__fault;

typedef struct kz__emu_run {
    kz__fault faults[KZ__MAX_FAULTS];
    size_t n_faults;
    double report_every, next_report;
    bool quiet;
    kz_loop *loop;
} kz__emu_run;

static kz_async *kz__sig_async;

static void kz__on_signal(int sig)
{
    (void)sig;
    if (kz__sig_async)
        kz_async_send(kz__sig_async);
}

static void kz__on_async(kz_async *a, void *ud)
{
    (void)a;
    kz_loop_stop(ud);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kizuna emu --scenario FILE [--ric URL] [OPTIONS]\n\n"
            "Emulate a city's radio network (docs/emulator.md).  With --ric every site is an E2\n"
            "node connected to that RIC; without it the day runs offline as fast as possible.\n\n"
            "  --scenario FILE      scenario (kizuna-scenario/1), e.g. scenarios/small-city.json\n"
            "  --ric URL            sctp+udp://HOST:PORT, sctp://HOST:PORT or mem://NAME\n"
            "  --speed N            simulated seconds per wall second (default 1; with --ric)\n"
            "  --step S             world step in seconds (default: the scenario's)\n"
            "  --duration S         simulated seconds (default: the scenario's, usually 86400)\n"
            "  --start S|HH:MM      time of day at start (default: the scenario's)\n"
            "  --seed N             override the scenario seed (the city: placement, shadowing)\n"
            "  --day-seed N         the day (sessions, mobility, events; default: the seed):\n"
            "                       same --seed, other --day-seed = the same network another day\n"
            "  --truth FILE         ground truth, CSV (or JSON Lines if FILE ends in .jsonl)\n"
            "  --truth-every S      one truth record every S simulated seconds (default: each step)\n"
            "  --fault CELL:sleeping[@T] | CELL:degraded:FACTOR[@T]\n"
            "                       inject a fault into cell index CELL at simulated time T\n"
            "  --sleep-depth micro|light|deep   sleep state of energy saving (default light)\n"
            "  --report S           print a status line every S simulated seconds (3600)\n"
            "  --quiet              no status lines\n");
}

static int kz__parse_fault(const char *s, kz__fault *f)
{
    char kind[32] = "";
    unsigned cell;
    int used = 0;
    memset(f, 0, sizeof *f);
    if (sscanf(s, "%u:%31[a-z]%n", &cell, kind, &used) < 2)
        return -1;
    f->cell = cell;
    const char *rest = s + used;
    if (strcmp(kind, "sleeping") == 0) {
        f->kind = KZ_EMU_FAULT_SLEEPING;
    } else if (strcmp(kind, "degraded") == 0) {
        char *end;
        if (*rest != ':')
            return -1;
        f->kind = KZ_EMU_FAULT_DEGRADED;
        f->factor = strtod(rest + 1, &end);
        rest = end;
    } else {
        return -1;
    }
    if (*rest == '@') {
        char *end;
        f->at_s = strtod(rest + 1, &end);
        rest = end;
    }
    return *rest ? -1 : 0;
}

static void kz__status(kz_emu *e)
{
    const kz_emu_truth *t = kz_emu_truth_get(e);
    double cap = 0.0;
    int ncap = 0;
    for (size_t c = 0; c < t->n_cells; c++)
        if (t->cells[c].layer == KZ_EMU_LAYER_CAPACITY) {
            cap += t->cells[c].prb_util;
            ncap++;
        }
    int tod = (int)t->tod_s;
    kz_emu_e2_stats st;
    kz_emu_e2_stats_get(e, &st);
    fprintf(stderr,
            "emu t=%.0fs %02d:%02d power=%.1fkW energy=%.1fkWh traffic=%.0fMbit/s "
            "cap_prb=%.2f met=%u/%u ho=%llu e2_up=%u/%u ind=%llu ctl=%llu\n",
            t->t_s, tod / 3600, tod / 60 % 60, t->power_w / 1e3, t->energy_j / 3.6e6,
            t->dt_s > 0 ? t->served_bits / t->dt_s / 1e6 : 0.0, ncap ? cap / ncap : 0.0, t->n_met,
            t->n_active, (unsigned long long)t->handovers_total, st.nodes_setup, st.nodes,
            (unsigned long long)st.indications, (unsigned long long)st.controls);
}

static void kz__on_step(kz_emu *e, const kz_emu_truth *t, void *ud)
{
    kz__emu_run *r = ud;
    for (size_t i = 0; i < r->n_faults; i++) {
        kz__fault *f = &r->faults[i];
        if (!f->done && t->t_s + 1e-9 >= f->at_s) {
            f->done = true;
            int rc = kz_emu_fault_set(e, f->cell, f->kind, f->factor);
            fprintf(stderr, "emu t=%.0fs fault %s on cell %u%s\n", t->t_s,
                    f->kind == KZ_EMU_FAULT_SLEEPING ? "sleeping" : "degraded", f->cell,
                    rc ? " refused" : "");
        }
    }
    if (!r->quiet && t->t_s + 1e-9 >= r->next_report) {
        kz__status(e);
        r->next_report += r->report_every;
    }
    if (kz_emu_done(e) && r->loop)
        kz_loop_stop(r->loop);
}

static int kz__u64(const char *s, uint64_t *out)
{
    char *end;
    if (!*s || *s == '-')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || errno)
        return -1;
    *out = v;
    return 0;
}

/* seconds since midnight, from HH:MM or seconds; -1 when it is neither */
static double kz__parse_tod(const char *s)
{
    int h, m, n = 0;
    if (sscanf(s, "%d:%d%n", &h, &m, &n) == 2 && !s[n] && h >= 0 && h < 24 && m >= 0 && m < 60)
        return h * 3600.0 + m * 60.0;
    double v;
    return kz_cli_number(s, &v) == 0 && v >= 0 ? v : -1;
}

int kz_cmd_emu(int argc, char **argv)
{
    const char *scen = NULL, *ric = NULL, *truth = NULL;
    kz_emu_cfg cfg;
    kz_emu_cfg_default(&cfg);
    double truth_every = 0.0;
    kz__emu_run run;
    memset(&run, 0, sizeof run);
    run.report_every = 3600.0;
    bool speed_set = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define KZ__NEED()                                                                     \
    do {                                                                               \
        if (!v) {                                                                      \
            fprintf(stderr, "kizuna emu: %s needs a value\n", a);                      \
            return KZ_CLI_BAD_INPUT;                                                   \
        }                                                                              \
        i++;                                                                           \
    } while (0)
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return KZ_CLI_OK;
        } else if (!strcmp(a, "--scenario")) {
            KZ__NEED();
            scen = v;
        } else if (!strcmp(a, "--ric")) {
            KZ__NEED();
            ric = v;
        } else if (!strcmp(a, "--speed")) {
            KZ__NEED();
            if (kz_cli_number(v, &cfg.speed) < 0 || cfg.speed < 0) {
                fprintf(stderr, "kizuna emu: %s: not a non-negative number: '%s'\n", a, v);
                return KZ_CLI_BAD_INPUT;
            }
            speed_set = true;
        } else if (!strcmp(a, "--step")) {
            KZ__NEED();
            if (kz_cli_number(v, &cfg.step_s) < 0 || cfg.step_s < 0) {
                fprintf(stderr, "kizuna emu: %s: not a non-negative number: '%s'\n", a, v);
                return KZ_CLI_BAD_INPUT;
            }
        } else if (!strcmp(a, "--duration")) {
            KZ__NEED();
            if (kz_cli_number(v, &cfg.duration_s) < 0 || cfg.duration_s < 0) {
                fprintf(stderr, "kizuna emu: %s: not a non-negative number: '%s'\n", a, v);
                return KZ_CLI_BAD_INPUT;
            }
        } else if (!strcmp(a, "--start")) {
            KZ__NEED();
            cfg.start_s = kz__parse_tod(v);
            if (cfg.start_s < 0) {
                fprintf(stderr, "kizuna emu: --start: HH:MM or seconds, not '%s'\n", v);
                return KZ_CLI_BAD_INPUT;
            }
        } else if (!strcmp(a, "--seed") || !strcmp(a, "--day-seed")) {
            KZ__NEED();
            if (kz__u64(v, !strcmp(a, "--seed") ? &cfg.seed : &cfg.day_seed) < 0) {
                fprintf(stderr, "kizuna emu: %s: not a seed: '%s'\n", a, v);
                return KZ_CLI_BAD_INPUT;
            }
        } else if (!strcmp(a, "--truth")) {
            KZ__NEED();
            truth = v;
        } else if (!strcmp(a, "--truth-every")) {
            KZ__NEED();
            if (kz_cli_number(v, &truth_every) < 0 || truth_every < 0) {
                fprintf(stderr, "kizuna emu: %s: not a non-negative number: '%s'\n", a, v);
                return KZ_CLI_BAD_INPUT;
            }
        } else if (!strcmp(a, "--report")) {
            KZ__NEED();
            if (kz_cli_number(v, &run.report_every) < 0 || run.report_every < 0) {
                fprintf(stderr, "kizuna emu: %s: not a non-negative number: '%s'\n", a, v);
                return KZ_CLI_BAD_INPUT;
            }
        } else if (!strcmp(a, "--quiet")) {
            run.quiet = true;
        } else if (!strcmp(a, "--sleep-depth")) {
            KZ__NEED();
            if (!strcmp(v, "micro"))
                cfg.es_depth = KZ_EMU_SLEEP_MICRO;
            else if (!strcmp(v, "light"))
                cfg.es_depth = KZ_EMU_SLEEP_LIGHT;
            else if (!strcmp(v, "deep"))
                cfg.es_depth = KZ_EMU_SLEEP_DEEP;
            else {
                fprintf(stderr, "kizuna emu: --sleep-depth: micro, light or deep\n");
                return KZ_CLI_BAD_INPUT;
            }
        } else if (!strcmp(a, "--fault")) {
            KZ__NEED();
            if (run.n_faults >= KZ__MAX_FAULTS ||
                kz__parse_fault(v, &run.faults[run.n_faults]) < 0) {
                fprintf(stderr, "kizuna emu: --fault %s: expected CELL:sleeping[@T] or "
                                "CELL:degraded:FACTOR[@T]\n", v);
                return KZ_CLI_BAD_INPUT;
            }
            run.n_faults++;
        } else {
            fprintf(stderr, "kizuna emu: unknown option %s (try --help)\n", a);
            return KZ_CLI_BAD_INPUT;
        }
#undef KZ__NEED
    }
    if (!scen) {
        usage(stderr);
        return KZ_CLI_BAD_INPUT;
    }
    if (!(cfg.speed > 0.0) || (run.report_every <= 0.0)) {
        fprintf(stderr, "kizuna emu: --speed and --report must be positive\n");
        return KZ_CLI_BAD_INPUT;
    }
    (void)speed_set;

    char err[512];
    struct kz_scenario *s = NULL;
    if (kz_emu_scenario_load(scen, &s, err, sizeof err) < 0) {
        fprintf(stderr, "kizuna emu: %s\n", err);
        return KZ_CLI_BAD_INPUT;
    }
    FILE *tf = NULL;
    if (truth) {
        tf = fopen(truth, "w");
        if (!tf) {
            fprintf(stderr, "kizuna emu: %s: %s\n", truth, strerror(errno));
            kz_emu_scenario_free(s);
            return KZ_CLI_BAD_INPUT;
        }
    }
    kz_loop *loop = NULL;
    if (ric && kz_loop_open(&loop, NULL) < 0) {
        fprintf(stderr, "kizuna emu: cannot open the event loop\n");
        kz_emu_scenario_free(s);
        if (tf)
            fclose(tf);
        return KZ_CLI_BAD_INPUT;
    }
    cfg.scenario = s;
    cfg.loop = loop;
    cfg.on_step = kz__on_step;
    cfg.ud = &run;
    run.loop = loop;
    kz_emu *e = NULL;
    int rc = kz_emu_create(&e, &cfg, err, sizeof err);
    int status = KZ_CLI_OK;
    if (rc < 0) {
        fprintf(stderr, "kizuna emu: %s: %s\n", scen, err);
        status = KZ_CLI_BAD_INPUT;
        goto out;
    }
    for (size_t i = 0; i < run.n_faults; i++)
        if (run.faults[i].cell >= kz_emu_n_cells(e)) {
            fprintf(stderr, "kizuna emu: --fault: no cell %u (the scenario has %zu)\n",
                    run.faults[i].cell, kz_emu_n_cells(e));
            status = KZ_CLI_BAD_INPUT;
            goto out;
        }
    if (tf) {
        size_t n = strlen(truth);
        bool jsonl = n > 6 && strcmp(truth + n - 6, ".jsonl") == 0;
        kz_emu_truth_output(e, tf, jsonl ? KZ_EMU_TRUTH_JSONL : KZ_EMU_TRUTH_CSV, truth_every);
    }
    run.next_report = run.report_every;
    fprintf(stderr, "emu %s: %zu sites, %zu cells, %zu UEs, step %.3g s%s%s\n", scen,
            kz_emu_n_sites(e), kz_emu_n_cells(e), kz_emu_n_ues(e), kz_emu_step_s(e),
            ric ? ", RIC " : ", offline", ric ? ric : "");

    struct timespec w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    if (!ric) {
        while (kz_emu_step(e) == 0)
            ;
    } else {
        rc = kz_emu_connect(e, ric, NULL);
        if (rc < 0) {
            fprintf(stderr, "kizuna emu: --ric %s: %s\n", ric, kz_strerror(rc));
            status = KZ_CLI_BAD_INPUT;
            goto out;
        }
        kz_async sig;
        if (kz_async_init(loop, &sig, kz__on_async, loop) == 0) {
            kz__sig_async = &sig;
            signal(SIGINT, kz__on_signal);
            signal(SIGTERM, kz__on_signal);
        }
        kz_emu_start(e);
        kz_loop_run(loop, KZ_RUN_DEFAULT);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        kz_emu_stop(e);
        if (kz__sig_async) {
            kz_async_close(&sig);
            kz__sig_async = NULL;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &w1);
    double wall = (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) / 1e9;
    const kz_emu_truth *t = kz_emu_truth_get(e);
    fprintf(stderr, "emu done: %.0f simulated s in %.2f wall s (%.0fx), energy %.1f kWh, "
                    "truth hash %016llx\n",
            t->t_s, wall, wall > 0 ? t->t_s / wall : 0.0, t->energy_j / 3.6e6,
            (unsigned long long)kz_emu_truth_hash(e));
out:
    kz_emu_destroy(e);
    if (loop) {
        kz_loop_run(loop, KZ_RUN_NOWAIT);
        kz_loop_close(loop);
    }
    if (tf)
        fclose(tf);
    kz_emu_scenario_free(s);
    return status;
}
