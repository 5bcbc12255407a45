/*
 * cli/cmd_demo.c -- `kizuna demo`: a simulated day of the city, the energy saver against every
 * baseline and the clairvoyant bound, a table and an HTML report.
 *
 * Why: one command that shows what Kizuna is for, with numbers a reader can reproduce: the
 * same scenario and seed for every policy, figures from the emulator's ground truth.  The
 * baselines run in-process; the energy saver runs as the xApp with the RIC and E2 in the loop,
 * in the deterministic simulator (src/eval/e2_runner.c), or in-process with --direct.  The
 * evaluation itself lives in src/eval (run.h: kz_eval_compare); this file is flags, progress,
 * the table, the E2 statistics and the report file.  docs/evaluation.md explains the method
 * and the figures.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "emu/scenario.h"
#include "eval/bound.h"
#include "eval/e2_runner.h"
#include "eval/report.h"
#include "eval/run.h"
#include "kizuna/emu.h"
#include "kizuna/error.h"

int kz_cmd_demo(int argc, char **argv);

static void usage(FILE *f)
{
    struct kz_es_params d;
    kz_es_params_energy_saver(&d);
    fprintf(f,
        "usage: kizuna demo [OPTIONS]\n\n"
        "Runs a simulated day of an emulated city under six energy-saving policies on the same\n"
        "scenario and seed -- always-on, a fixed night schedule, a PRB threshold rule, the same\n"
        "rule with its sleep threshold tuned to the QoS bar on the learning day, the\n"
        "clairvoyant optimum (computed from the always-on ground truth) and the energy saver\n"
        "(forecasting decision core) -- and prints energy, saving, user throughput (mean, 5th\n"
        "percentile), unmet demand, sleep/wake actions and forecast error; writes an HTML report.\n"
        "The energy saver runs as the kizuna-energy-saver xApp: emulator gNBs -> E2 -> RIC -> xApp\n"
        "bus -> xApp (KPM in; RC handover, CCC sleep/wake and antenna masks out), with a KPM\n"
        "monitor xApp beside it, in the deterministic simulator; the baselines drive the\n"
        "emulator in-process.\n\n"
        "  --scenario PATH     scenario file (scenarios/small-city.json)\n"
        "  --seed N            seed (the scenario's)\n"
        "  --hours H           simulated hours (24)\n"
        "  --history-days N    days of KPM-like history (other seeds) the forecasters learn\n"
        "                      from before the evaluated day (1)\n"
        "  --threads N         policies run in parallel (2)\n"
        "  --report PATH       HTML report (kizuna-demo.html)\n"
        "  --log PATH          the energy saver's decisions, one line each, with reasons\n"
        "  --sleep-util U      sleep if the coverage cell's forecast PRB use stays below U (%.2f)\n"
        "  --wake-util U       wake ahead when it is forecast above U (%.2f)\n"
        "  --guard-util U      wake at once when the coverage cell's PRB use exceeds U (%.2f)\n"
        "  --guard-ue-thr M    wake at once when its mean UE throughput falls below M Mbit/s\n"
        "  --min-sleep S, --min-awake S   dwell times in seconds\n"
        "  --lookahead S       forecast horizon of a sleep decision in seconds\n"
        "  --thr-sleep P, --thr-wake P    threshold rule: capacity PRB below / coverage above\n"
        "  --qos-bar P,U       the QoS bar every row is judged by and the clairvoyant bound is\n"
        "                      computed under: 5th-percentile user throughput within P of\n"
        "                      always-on's (a fraction) and unmet demand within +U percentage\n"
        "                      points (0.02,0.5, the issue's bar)\n"
        "  --thr-bar-hindsight the threshold@bar row's sleep threshold searched on the\n"
        "                      evaluated day itself (the best of the rule's family that day)\n"
        "                      instead of tuned on the learning day\n"
        "  --direct            the energy saver in-process too (no RIC, no E2), for comparison\n"
        "  --mute F            antenna muting: deepest active TxRU fraction of a capacity cell\n"
        "                      (0.125 = 8 of 64, the default; 0: off -- sleep only)\n"
        "  --mute-rho R1,R2,.. mute to 1/2, 1/4 ... of the TxRUs while the network's forecast\n"
        "                      load stays below R1, R2 ... of its busiest 5 minutes (0.6,0.45,0.3)\n"
        "  --tail-risk LO,HI   the tail risk (es.h: how far the day's p5 moves when muting\n"
        "                      slows the users near it, learned from the UE-level KPM of the\n"
        "                      learning days) picks the bounds: --mute-rho-roomy at or below\n"
        "                      LO, --mute-rho at or above HI, linear between (0.02,0.06; 0:\n"
        "                      --mute-rho always)\n"
        "  --mute-rho-roomy R1,R2,..  the bounds at low tail risk (0.7,0.5,0.35)\n"
        "  --mute-cov-rho-roomy R  coverage cells' MIMO sleep at low tail risk: below R, moving\n"
        "                      to --mute-cov-rho (or none) as the risk rises (0.3; 0: off)\n"
        "  --sector-risk R     at a tail risk <= R, a sector quiet against its own busiest 5\n"
        "                      minutes mutes deeper than the network (0.02; 0: never)\n"
        "  --mute-sector-rho R1,R2,..  and no deeper than the cell's own sector allows: its\n"
        "                      load below R1, R2 ... of its own busiest 5 minutes (1,0.75,0.5;\n"
        "                      0: no sector cap)\n"
        "  --mute-cov-rho R    coverage cells to half their TxRUs (MIMO sleep) below R whatever\n"
        "                      the tail risk (0: off, the default)\n"
        "  --tail-floor M      QoS guard of the muting: a cell goes deeper only while its users'\n"
        "                      10th-percentile throughput, halved per level, stays >= M Mbit/s\n"
        "                      (0: learned, --tail-margin x the 5th percentile of the UE-level\n"
        "                      KPM of the learning days, the default; < 0: off)\n"
        "  --tail-margin X     the learned floor's margin (1.5)\n"
        "  --tail-weighted B   1: weigh each UE's throughput by its seconds transmitting (UE-\n"
        "                      level DRB.PdcpSduVolumeDL / DRB.UEThpDl), as the day's p5\n"
        "                      counts UE-steps (the default); 0: one sample per UE\n"
        "  --surge-unmute M    a surge of a sector's load more than M Mbit/s above its\n"
        "                      forecast (a crowd) unmutes that sector's capacity cells to all\n"
        "                      TxRUs (30; 0: off)\n"
        "  --empty-sleep P,W   sleep a capacity cell whose own PRB use is below P while its\n"
        "                      coverage cell's is below W, wake above W (0.03,0.25; 0: off)\n"
        "  --no-rc             over E2 without RC handover: the CCC sleep hands the UEs over\n"
        "  --no-nrt            no neighbour relations for the energy saver (over E2 the xApp\n"
        "                      does not subscribe to RC REPORT style 3): the surge guard keeps\n"
        "                      to the site\n"
        "  --real-time         the energy saver's run over real sockets instead of the\n"
        "                      simulator: RIC on sctp+udp://127.0.0.1:36421 (usrsctp) and a\n"
        "                      unix:// bus, emulator and xApp at --speed (not deterministic)\n"
        "  --speed N           --real-time: simulated seconds per second (600: a day in 144 s)\n",
        d.sleep_util, d.wake_util, d.guard_util);
}

struct progress {
    pthread_mutex_t mu;
    int last[8];
    char names[8][32];
};

static void on_progress(void *ud, const char *name, double frac)
{
    struct progress *p = ud;
    pthread_mutex_lock(&p->mu);
    int slot = -1;
    for (int i = 0; i < 8; i++) {
        if (!strcmp(p->names[i], name)) { slot = i; break; }
        if (!p->names[i][0]) {
            snprintf(p->names[i], sizeof p->names[i], "%s", name);
            p->last[i] = -1;
            slot = i;
            break;
        }
    }
    int pct = (int)(frac * 100 + 0.5);
    if (slot >= 0 && pct / 10 != p->last[slot] / 10 && pct >= 0) {
        p->last[slot] = pct;
        fprintf(stderr, "  %-15s %3d %%\n", name, pct);
    }
    pthread_mutex_unlock(&p->mu);
}

/* A number option outside [lo, hi] (NaN included): says so on stderr and returns 1 */
static int out_of_range(double v, double lo, double hi, const char *opt, const char *what,
                        const char *arg)
{
    if (v >= lo && v <= hi)
        return 0;
    fprintf(stderr, "kizuna demo: --%s: %s in [%g, %g], not '%s'\n", opt, what, lo, hi, arg);
    return 1;
}

/* "R1,R2,..": decreasing bounds in [0, 10] into b[1..], deeper levels halving (a 0 bound
 * never allows its level). */
static int level_bounds(const char *opt, const char *rho, double *b)
{
    const char *q = rho;
    for (int l = 1; l <= KZ_ES_MUTE_MAX_LVL && *q; l++) {
        char *end;
        errno = 0;
        double v = strtod(q, &end);
        if (errno || end == q || !(v >= 0 && v <= 10) || (*end && *end != ',') ||
            (l > 1 && v > b[l - 1])) {
            fprintf(stderr, "kizuna demo: --%s: decreasing numbers in [0, 10] separated by "
                            "commas: '%s'\n", opt, rho);
            return -1;
        }
        b[l] = v;
        for (int k = l + 1; k <= KZ_ES_MUTE_MAX_LVL; k++)
            b[k] = b[k - 1] / 2;
        q = *end ? end + 1 : end;
    }
    return 0;
}

/* The antenna-muting lever's options: --mute F (deepest TxRU fraction of a capacity cell, 0 off),
 * --mute-rho R1,R2,... (network relative-load bound of each level), --mute-cov-rho R (coverage
 * cells' MIMO sleep to half their TxRUs below R; 0 off).  Returns -1 after a message. */
static int mute_option(struct kz_es_params *ai, double frac, const char *rho, double cov,
                       const char *rho_sector)
{
    if (frac >= 0) {
        if (frac > 0 && !(frac >= 1.0 / 64 && frac < 1)) {
            fprintf(stderr, "kizuna demo: --mute: a TxRU fraction in [1/64, 1), or 0 for off\n");
            return -1;
        }
        struct kz_es_params d = *ai;
        kz_es_params_mute(&d, frac);
        if (frac == 0)
            d.mute_frac = 0;
        *ai = d;
    }
    if (rho && level_bounds("mute-rho", rho, ai->mute_rho))
        return -1;
    if (rho_sector && level_bounds("mute-sector-rho", rho_sector, ai->mute_rho_sector))
        return -1;
    if (cov >= 0) {
        if (cov > 10) {
            fprintf(stderr, "kizuna demo: --mute-cov-rho: a relative load in [0, 10]\n");
            return -1;
        }
        ai->mute_max_lvl_cov = cov > 0;
        ai->mute_rho_cov[1] = cov;
    }
    return 0;
}

int kz_cmd_demo(int argc, char **argv)
{
    enum { O_SCEN = 256, O_SEED, O_HOURS, O_HIST, O_THREADS, O_REPORT, O_LOG, O_SU, O_WU, O_GU,
           O_GT, O_MS, O_MA, O_LA, O_TS, O_TW, O_RT, O_HELP, O_DIRECT, O_NORC, O_NONRT,
           O_MUTE, O_MRHO, O_MCOV, O_SPEED, O_TFLOOR, O_TMARGIN, O_EMPTY, O_TWEIGHT,
           O_SUNMUTE, O_MSECT, O_RISK, O_MROOMY, O_MCROOMY, O_SRISK, O_BAR, O_THRHS };
    static const struct option opts[] = {
        {"scenario", 1, 0, O_SCEN}, {"seed", 1, 0, O_SEED}, {"hours", 1, 0, O_HOURS},
        {"history-days", 1, 0, O_HIST}, {"threads", 1, 0, O_THREADS},
        {"report", 1, 0, O_REPORT}, {"log", 1, 0, O_LOG}, {"sleep-util", 1, 0, O_SU},
        {"wake-util", 1, 0, O_WU}, {"guard-util", 1, 0, O_GU}, {"guard-ue-thr", 1, 0, O_GT},
        {"min-sleep", 1, 0, O_MS}, {"min-awake", 1, 0, O_MA}, {"lookahead", 1, 0, O_LA},
        {"thr-sleep", 1, 0, O_TS}, {"thr-wake", 1, 0, O_TW},
        {"real-time", 0, 0, O_RT}, {"help", 0, 0, O_HELP}, {"direct", 0, 0, O_DIRECT},
        {"no-rc", 0, 0, O_NORC}, {"no-nrt", 0, 0, O_NONRT}, {"mute", 1, 0, O_MUTE},
        {"mute-rho", 1, 0, O_MRHO}, {"mute-cov-rho", 1, 0, O_MCOV}, {"speed", 1, 0, O_SPEED},
        {"tail-floor", 1, 0, O_TFLOOR}, {"tail-margin", 1, 0, O_TMARGIN},
        {"empty-sleep", 1, 0, O_EMPTY}, {"tail-weighted", 1, 0, O_TWEIGHT},
        {"surge-unmute", 1, 0, O_SUNMUTE}, {"mute-sector-rho", 1, 0, O_MSECT},
        {"tail-risk", 1, 0, O_RISK}, {"mute-rho-roomy", 1, 0, O_MROOMY},
        {"mute-cov-rho-roomy", 1, 0, O_MCROOMY}, {"sector-risk", 1, 0, O_SRISK},
        {"qos-bar", 1, 0, O_BAR}, {"thr-bar-hindsight", 0, 0, O_THRHS}, {0, 0, 0, 0}};
    const char *scen = "scenarios/small-city.json", *report = "kizuna-demo.html", *logp = NULL;
    double seed = 0, hours = 24, hist = 1, threads = 2;
    int direct = 0, no_rc = 0, no_nrt = 0, real_time = 0, thr_hindsight = 0;
    int tail_weighted = -1; /* -1: the default (set after --mute's reset) */
    double surge_unmute = -1;
    double speed = 600;
    double mute = -1, mute_cov = -1, mute_cov_roomy = -1, sector_risk = -1;
    const char *mute_rho = NULL, *empty = NULL, *mute_sector = NULL, *risk = NULL,
               *mute_roomy = NULL;
    double bar_p5 = 0.02, bar_unmet = 0.5; /* the QoS bar */
    struct kz_es_params ai;
    kz_es_params_energy_saver(&ai); /* docs/energy-saving.md */
    /* the tail guard's defaults are the shipped ones (a literal here once overrode them) */
    double tail_floor = ai.tail_floor_mbps, tail_margin = ai.tail_margin;
    struct kz_es_params thr;
    kz_es_params_default(&thr, KZ_ES_THRESHOLD);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        double v = 0;
        if (c != O_SCEN && c != O_REPORT && c != O_LOG && c != O_RT && c != O_HELP && c != 'h' &&
            c != O_DIRECT && c != O_NORC && c != O_NONRT && c != O_MRHO && c != O_EMPTY &&
            c != O_MSECT && c != O_RISK && c != O_MROOMY && c != O_BAR && c != O_THRHS &&
            c != '?' && kz_cli_number(optarg, &v)) {
            fprintf(stderr, "kizuna demo: --%s: not a number: '%s'\n", opts[c - O_SCEN].name,
                    optarg);
            return KZ_CLI_BAD_INPUT;
        }
        switch (c) {
        case O_SCEN: scen = optarg; break;
        case O_SEED: seed = v; break;
        case O_HOURS: hours = v; break;
        case O_HIST: hist = v; break;
        case O_THREADS: threads = v; break;
        case O_REPORT: report = optarg; break;
        case O_LOG: logp = optarg; break;
        case O_SU: ai.sleep_util = v; break;
        case O_WU: ai.wake_util = v; break;
        case O_GU: ai.guard_util = v; break;
        case O_GT: ai.guard_ue_thr_mbps = v; break;
        case O_MS: ai.min_sleep_s = v; break;
        case O_MA: ai.min_awake_s = v; break;
        case O_LA: ai.lookahead_s = v; break;
        case O_TS: thr.thr_sleep_prb = v; break;
        case O_TW: thr.thr_wake_prb = v; break;
        case O_DIRECT: direct = 1; break;
        case O_NORC: no_rc = 1; break;
        case O_NONRT: no_nrt = 1; break;
        case O_MUTE: mute = v; break;
        case O_MRHO: mute_rho = optarg; break;
        case O_MSECT: mute_sector = optarg; break;
        case O_RISK: risk = optarg; break;
        case O_MROOMY: mute_roomy = optarg; break;
        case O_BAR: {
            char tail;
            if (sscanf(optarg, "%lf,%lf%c", &bar_p5, &bar_unmet, &tail) != 2 ||
                !(bar_p5 >= 0 && bar_p5 < 1) || !(bar_unmet >= 0 && bar_unmet <= 100)) {
                fprintf(stderr, "kizuna demo: --qos-bar: P,U with P in [0, 1) (the p5 loss "
                                "allowed, a fraction) and U in [0, 100] (percentage points of "
                                "unmet demand): '%s'\n", optarg);
                return KZ_CLI_BAD_INPUT;
            }
            break;
        }
        case O_MCROOMY:
            if (out_of_range(v, 0, 10, "mute-cov-rho-roomy", "a relative load", optarg))
                return KZ_CLI_BAD_INPUT;
            mute_cov_roomy = v;
            break;
        case O_SRISK:
            if (out_of_range(v, 0, 10, "sector-risk", "a tail risk", optarg))
                return KZ_CLI_BAD_INPUT;
            sector_risk = v;
            break;
        case O_MCOV: mute_cov = v; break;
        case O_RT: real_time = 1; break;
        case O_THRHS: thr_hindsight = 1; break;
        case O_SPEED: speed = v; break;
        case O_TFLOOR: tail_floor = v; break;
        case O_TMARGIN: tail_margin = v; break;
        case O_EMPTY: empty = optarg; break;
        case O_TWEIGHT:
            if (v != 0 && v != 1) {
                fprintf(stderr, "kizuna demo: --tail-weighted: 0 or 1, not '%s'\n", optarg);
                return KZ_CLI_BAD_INPUT;
            }
            tail_weighted = (int)v;
            break;
        case O_SUNMUTE:
            if (out_of_range(v, 0, 1e5, "surge-unmute", "Mbit/s", optarg))
                return KZ_CLI_BAD_INPUT;
            surge_unmute = v;
            break;
        case O_HELP:
        case 'h': usage(stdout); return KZ_CLI_OK;
        default: usage(stderr); return KZ_CLI_BAD_INPUT;
        }
    }
    if (real_time && (direct || !(speed > 0 && speed <= 1e5))) {
        fprintf(stderr, "kizuna demo: --real-time runs the energy saver over E2 (not with "
                        "--direct), at --speed in (0, 100000] simulated s per s\n");
        return KZ_CLI_BAD_INPUT;
    }
    if (hours <= 0 || hours > 24 * 7 || hist < 0 || hist > 7 || threads < 1 ||
        !(ai.sleep_util <= ai.wake_util)) {
        fprintf(stderr, "kizuna demo: out of range: --hours 0..168, --history-days 0..7, "
                        "--threads >= 1, --sleep-util <= --wake-util\n");
        return KZ_CLI_BAD_INPUT;
    }
    if (mute_option(&ai, mute, mute_rho, mute_cov, mute_sector))
        return KZ_CLI_BAD_INPUT;
    if (mute_roomy && level_bounds("mute-rho-roomy", mute_roomy, ai.mute_rho_roomy))
        return KZ_CLI_BAD_INPUT;
    if (mute_cov_roomy >= 0)
        ai.mute_rho_cov_roomy = mute_cov_roomy;
    if (sector_risk >= 0)
        ai.risk_sector = sector_risk;
    if (risk) {
        double lo = 0, hi = 0;
        char tail;
        int k = sscanf(risk, "%lf,%lf%c", &lo, &hi, &tail);
        if (!((k == 1 && lo == 0) || (k == 2 && lo >= 0 && hi > lo && hi <= 10))) {
            fprintf(stderr, "kizuna demo: --tail-risk: LO,HI with 0 <= LO < HI <= 10, or 0 for "
                            "off: '%s'\n", risk);
            return KZ_CLI_BAD_INPUT;
        }
        ai.risk_lo = lo;
        ai.risk_hi = k == 1 ? 0 : hi;
    }
    if (tail_weighted >= 0) /* after --mute, which resets the lever's parameters */
        ai.tail_weighted = tail_weighted;
    if (surge_unmute >= 0)
        ai.surge_unmute_mbps = surge_unmute;
    if (!(tail_floor <= 1e4) || !(tail_margin > 0 && tail_margin <= 100)) {
        fprintf(stderr, "kizuna demo: --tail-floor: Mbit/s up to 10000 (0 learned, < 0 off); "
                        "--tail-margin in (0, 100]\n");
        return KZ_CLI_BAD_INPUT;
    }
    ai.tail_floor_mbps = tail_floor < 0 ? -1 : tail_floor;
    ai.tail_margin = tail_margin;
    if (empty) {
        double ep = 0, ew = 0;
        char tail;
        int k = sscanf(empty, "%lf,%lf%c", &ep, &ew, &tail);
        if (!((k == 1 && ep == 0) || (k == 2 && ep > 0 && ep < 1 && ew > 0 && ew <= 1))) {
            fprintf(stderr, "kizuna demo: --empty-sleep: P,W with P in (0, 1) and W in (0, 1] "
                            "(PRB use), or 0 for off: '%s'\n", empty);
            return KZ_CLI_BAD_INPUT;
        }
        ai.empty_prb = ep;
        ai.empty_wake_prb = ew;
    }
    thr.min_awake_s = ai.min_awake_s;
    struct kz_scenario *sc = NULL;
    char err[512];
    if (kz_emu_scenario_load(scen, &sc, err, sizeof err)) {
        fprintf(stderr, "kizuna demo: %s\n", err);
        return KZ_CLI_BAD_INPUT;
    }
    FILE *log = NULL;
    if (logp && !(log = fopen(logp, "w"))) {
        fprintf(stderr, "kizuna demo: %s: %s\n", logp, strerror(errno));
        kz_emu_scenario_free(sc);
        return KZ_CLI_BAD_INPUT;
    }
    struct kz_eval_cfg ec;
    struct kz_bound_info bound;
    memset(&bound, 0, sizeof bound);
    struct kz_eval_thr_bar thr_bar;
    memset(&thr_bar, 0, sizeof thr_bar);
    kz_eval_cfg_default(&ec, sc);
    ec.seed = (uint64_t)seed;
    ec.duration_s = hours * 3600;
    ec.history_days = (unsigned)hist;
    ec.threads = (unsigned)threads;
    ec.ai = ai;
    ec.threshold = thr;
    ec.night.min_awake_s = ai.min_awake_s;
    ec.bound_info = &bound;
    ec.thr_bar_info = &thr_bar;
    ec.thr_bar_hindsight = thr_hindsight;
    ec.bound_p5_tol = bar_p5;
    ec.bound_unmet_pp = bar_unmet;
    ec.log = log;
    ec.ai_direct = direct;
    ec.ai_no_rc = no_rc;
    ec.ai_no_nrt = no_nrt;
    ec.ai_real_time = real_time;
    ec.ai_speed = speed;
    struct kz_e2_run_stats e2st;
    memset(&e2st, 0, sizeof e2st);
    ec.e2_stats = &e2st;
    struct progress pr;
    memset(&pr, 0, sizeof pr);
    pthread_mutex_init(&pr.mu, NULL);
    ec.progress = on_progress;
    ec.ud = &pr;
    uint64_t s_used = ec.seed ? ec.seed : sc->seed;
    fprintf(stderr, "kizuna demo: %s, seed %llu, %.0f h, %u learning day(s), %u thread(s); "
                    "energy saver %s%s\n",
            sc->name, (unsigned long long)s_used, hours, ec.history_days, ec.threads,
            direct      ? "in-process (--direct)"
            : real_time ? "over E2 in real time: RIC on sctp+udp:// + unix:// bus, emulator and "
                          "xApps on a real event loop"
            : no_rc     ? "over E2: RIC + emulator + xApps in the simulator, no RC"
                        : "over E2: RIC + emulator + xApps in the simulator",
            no_nrt ? "; no neighbour relations (--no-nrt)" : "");
    struct kz_run_result res[KZ_EVAL_NRUNS];
    int rc = kz_eval_compare(&ec, res, err, sizeof err);
    pthread_mutex_destroy(&pr.mu);
    if (log)
        fclose(log);
    if (rc) {
        fprintf(stderr, "kizuna demo: %s\n", err);
        kz_emu_scenario_free(sc);
        return KZ_CLI_BAD_INPUT;
    }
    printf("\n%s, seed %llu, %.0f simulated hours; figures from the emulator's ground truth\n\n",
           sc->name, (unsigned long long)s_used, hours);
    kz_eval_print_table(stdout, res, KZ_EVAL_NRUNS);
    printf("\n");
    kz_eval_print_bar(stdout, res, KZ_EVAL_NRUNS, bar_p5, bar_unmet);
    printf("clairvoyant row: the bound under that bar (--qos-bar %g,%g), %s after %u replays; "
           "its decisions per window and site:", bar_p5, bar_unmet,
           bound.feasible ? "met" : "NOT met (always-on kept)", bound.replays);
    for (int a = 0; a < KZ_BOUND_ACTIONS; a++) {
        const char *an;
        kz_bound_action(a, NULL, NULL, &an);
        if (bound.window_share[a] > 0)
            printf("%s %s %.1f %%", a ? "," : "", an, 100 * bound.window_share[a]);
    }
    printf("\nthreshold@bar row: the threshold rule, wake above %.2f coverage PRB, its sleep "
           "threshold %s (%u runs): sleep below %.3f PRB use; %s\n", thr_bar.wake_prb,
           thr_bar.hindsight ? "searched with hindsight on this day (--thr-bar-hindsight)"
                             : "tuned to the bar on the learning day",
           thr_bar.runs, thr_bar.sleep_prb,
           thr_bar.met ? "it meets this day's bar" : "it does NOT meet this day's bar");
    printf("energy-saver row: %s\n",
           direct      ? "in-process decision core (--direct)"
           : real_time ? "the xApp over E2 (RIC, KPM, RC, CCC) over real sockets in real time"
                       : "the xApp over E2 (RIC, KPM, RC, CCC) in the simulator");
    const struct kz_es_stats *ast = &res[KZ_EVAL_AI].es;
    if (ai.mute_frac > 0 && ast->tail_risk >= 0)
        printf("  tail risk learned from the UE-level KPM: %.3f (--tail-risk %.2f,%.2f) -> "
               "network muting bounds %.2f / %.2f / %.2f, coverage MIMO sleep %.2f; sector "
               "levels deeper than the network's %s (--sector-risk %.2f): %llu mutes\n",
               ast->tail_risk, ai.risk_lo, ai.risk_hi, ast->net_bound[1], ast->net_bound[2],
               ast->net_bound[3], ast->net_bound_cov,
               ai.risk_sector > 0 && ast->tail_risk >= 0 && ast->tail_risk <= ai.risk_sector
                   ? "allowed" : "not allowed",
               ai.risk_sector, (unsigned long long)ast->mutes_sector);
    if (!direct)
        kz_e2_run_stats_print(stdout, &e2st);
    double wall = 0;
    for (int k = 0; k < KZ_EVAL_NRUNS; k++)
        wall += res[k].wall_s;
    printf("\n(run time of the six policies (the clairvoyant's probes and replays included) together %.1f s of CPU; always-on truth hash "
           "%016llx)\n", wall, (unsigned long long)res[0].truth_hash);

    char cmd[1024];
    size_t off = 0;
    for (int i = 0; i < argc && off < sizeof cmd - 2; i++)
        off += (size_t)snprintf(cmd + off, sizeof cmd - off, "%s%s", i ? " " : "kizuna ",
                                argv[i]);
    char title[160];
    snprintf(title, sizeof title, "Kizuna energy saving: %s, seed %llu", sc->name,
             (unsigned long long)s_used);
    char notes[1024];
    snprintf(notes, sizeof notes,
             "Every policy ran on the same scenario and seed; the demand side of the emulator "
             "does not depend on control decisions.  Energy, throughput and unmet demand come "
             "from the emulator's per-step ground truth.  The clairvoyant bound knows the whole "
             "day: per 15-minute window and site it picks, among the energy saver's levers "
             "(capacity cells asleep or muted to 1/2, 1/4, 1/8 of their TxRUs, coverage cells "
             "to half), the most energy saved while keeping 5th-percentile throughput within "
             "%g %% of always-on and unmet demand within +%g pp (the QoS bar); its schedule is "
             "replayed and measured like the others (bound.h).",
             100 * bar_p5, bar_unmet);
    struct kz_report_info info = {.title = title, .command = cmd, .notes = notes, .bar = 1,
                                  .bar_p5_tol = bar_p5, .bar_unmet_pp = bar_unmet};
    FILE *f = fopen(report, "w");
    if (!f || kz_report_html(f, &info, res, KZ_EVAL_NRUNS) || fclose(f)) {
        fprintf(stderr, "kizuna demo: %s: cannot write the report\n", report);
        rc = KZ_CLI_PARTIAL;
    } else {
        printf("report: %s\n", report);
    }
    for (int k = 0; k < KZ_EVAL_NRUNS; k++)
        kz_run_result_free(&res[k]);
    kz_emu_scenario_free(sc);
    return rc ? KZ_CLI_PARTIAL : KZ_CLI_OK;
}
