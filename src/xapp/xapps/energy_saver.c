/*
 * xapps/energy_saver.c -- `kizuna-energy-saver`: puts capacity cells to sleep when their
 * coverage cells can carry the load, and wakes them before it returns (docs/energy-saver.md).
 *
 * Why so short: the E2 side (KPM subscriptions, UE-level reports, RC handover before a sleep,
 * CCC sleep/wake with their outcomes) is the component src/eval/energy_xapp.c, and the
 * decisions are the pure decision core src/eval/es.c -- the same code `kizuna demo` runs through
 * the RIC in the simulator (src/eval/e2_runner.c), so the demo judges exactly what runs here.
 * This file is flags, the loop, signals and the summary line.
 *
 * Topology: which cell is a capacity cell and which coverage cell takes its users is not in
 * any E2 definition.  Kizuna's emulator numbers cells gNB id << 14 | local, coverage cells
 * local 0-2 and capacity cells 3-5 of the same sector; that is what this xApp assumes
 * (--pair-offset 3).  A real deployment would give the pairs as configuration.
 * A1 policies for the guards are a later step; today they are flags.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/energy_xapp.h"
#include "eval/es.h"
#include "kizuna/error.h"
#include "kizuna/loop.h"
#include "kizuna/xapp.h"

struct app {
    kz_loop *loop;
    kz_timer stop;
    kz_async sig;
    int64_t start_ns;
    double speed, tod;
};

/* decision clock: seconds since midnight of the day the xApp started (--time-of-day); with
 * --speed N one loop second is N simulated seconds (an emulator at --speed N) */
static double app_clock(void *ud)
{
    const struct app *a = ud;
    return a->tod + (double)(kz_loop_now(a->loop) - a->start_ns) / 1e9 * a->speed;
}

static kz_async *g_sig;
static void on_signal(int sig)
{
    (void)sig;
    if (g_sig)
        kz_async_send(g_sig);
}

static void stop_cb(kz_timer *t, void *ud)
{
    (void)t;
    kz_loop_stop(((struct app *)ud)->loop);
}

static void sig_cb(kz_async *a, void *ud)
{
    (void)a;
    kz_loop_stop(((struct app *)ud)->loop);
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: kizuna-energy-saver [--bus URL] [--token T] [--period S] [--log FILE]\n"
        "         [--sleep-util U] [--wake-util U] [--guard-util U] [--guard-ue-thr MBPS]\n"
        "         [--min-sleep S] [--min-awake S] [--lookahead S] [--wake-lead S]\n"
        "         [--pair-offset N] [--time-of-day S] [--duration S] [--speed N] [--no-rc]\n"
        "         [--mute FRAC]\n"
        "Puts capacity cells to sleep over E2SM-CCC when their coverage cells can carry the\n"
        "load (moving their UEs with RC handover first), and wakes them ahead of forecast\n"
        "demand or at once on a guard breach.  It also mutes antennas (CCC O-NESPolicy masks,\n"
        "down to FRAC of a capacity cell's TxRUs: --mute FRAC, 0.125 by default, 0 off) once\n"
        "it has seen a whole day of KPM, a cell deeper only while its users' 10th-percentile\n"
        "throughput (UE-level KPM), halved per level, stays above 0.7 x the 5th percentile\n"
        "of every UE report it has seen.\n");
}

int main(int argc, char **argv)
{
    static struct app app;
    struct kz_esx_cfg ec;
    kz_esx_cfg_default(&ec);
    kz_es_params_energy_saver(&ec.p); /* muting with its tail guard, empty-cell sleep */
    const char *bus = "unix:///tmp/kizuna-ric.sock", *token = NULL, *logp = NULL;
    double duration = 0, tod = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return 0; }
        if (!strcmp(a, "--no-rc")) { ec.rc_handover = false; continue; }
        if (!v) { usage(stderr); return 2; }
        i++;
        if (!strcmp(a, "--bus")) bus = v;
        else if (!strcmp(a, "--token")) token = v;
        else if (!strcmp(a, "--log")) logp = v;
        else if (!strcmp(a, "--period")) ec.p.period_s = atof(v);
        else if (!strcmp(a, "--sleep-util")) ec.p.sleep_util = atof(v);
        else if (!strcmp(a, "--wake-util")) ec.p.wake_util = atof(v);
        else if (!strcmp(a, "--guard-util")) ec.p.guard_util = atof(v);
        else if (!strcmp(a, "--guard-ue-thr")) ec.p.guard_ue_thr_mbps = atof(v);
        else if (!strcmp(a, "--min-sleep")) ec.p.min_sleep_s = atof(v);
        else if (!strcmp(a, "--min-awake")) ec.p.min_awake_s = atof(v);
        else if (!strcmp(a, "--lookahead")) ec.p.lookahead_s = atof(v);
        else if (!strcmp(a, "--wake-lead")) ec.p.wake_lead_s = atof(v);
        else if (!strcmp(a, "--pair-offset")) ec.pair_offset = (unsigned)atoi(v);
        else if (!strcmp(a, "--time-of-day")) tod = atof(v);
        else if (!strcmp(a, "--duration")) duration = atof(v);
        else if (!strcmp(a, "--speed")) ec.speed = atof(v);
        else if (!strcmp(a, "--mute")) {
            char *end = NULL;
            double f = v ? strtod(v, &end) : -1;
            if (!v || end == v || *end || (f != 0 && !(f >= 1.0 / 64 && f < 1))) {
                fprintf(stderr, "energy-saver: --mute: a TxRU fraction in [1/64, 1), or 0\n");
                return 2;
            }
            kz_es_params_mute(&ec.p, f);
        }
        else { usage(stderr); return 2; }
    }
    if (ec.p.period_s <= 0 || ec.p.slot_s < ec.p.period_s || ec.speed <= 0 ||
        !(ec.p.sleep_util <= ec.p.wake_util)) {
        fprintf(stderr, "energy-saver: need 0 < --period <= %.0f, --speed > 0 and sleep-util <= "
                        "wake-util\n", ec.p.slot_s);
        return 2;
    }
    ec.log = stderr;
    if (logp && !(ec.log = fopen(logp, "a"))) {
        perror(logp);
        return 2;
    }
    if (kz_loop_open(&app.loop, NULL) < 0)
        return 1;
    app.start_ns = kz_loop_now(app.loop);
    app.speed = ec.speed;
    app.tod = tod;
    ec.clock = app_clock;
    ec.ud = &app;
    kz_xapp_cfg cfg;
    kz_xapp_cfg_default(&cfg);
    cfg.url = bus;
    cfg.name = "energy-saver";
    cfg.token = token;
    kz_esx *s;
    int rc = kz_esx_open(&s, app.loop, &cfg, &ec);
    if (rc < 0) {
        fprintf(stderr, "energy-saver: %s: %s\n", bus, kz_strerror(rc));
        return 2;
    }
    kz_async_init(app.loop, &app.sig, sig_cb, &app);
    g_sig = &app.sig;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    kz_timer_init(app.loop, &app.stop);
    if (duration > 0)
        kz_timer_start(&app.stop, (int64_t)(duration / ec.speed * 1e9), 0, stop_cb, &app);
    kz_loop_run(app.loop, KZ_RUN_DEFAULT);
    kz_timer_stop(&app.stop);
    g_sig = NULL;
    kz_async_close(&app.sig);
    struct kz_esx_stats xs;
    kz_esx_stats_get(s, &xs);
    const kz_es *es = kz_esx_core(s);
    if (es) {
        struct kz_es_stats st;
        kz_es_stats_get(es, &st);
        double mae, mape;
        kz_es_stats_fc_error(&st, KZ_FC_USED, st.fc_horizon, &mae, &mape);
        fprintf(ec.log, "msg=summary sleeps=%llu wakes=%llu guard_wakes=%llu indications=%llu "
                        "ccc_ok=%llu ccc_failed=%llu rc_ok=%llu rc_failed=%llu fc_mae_mbps=%.2f "
                        "fc_mape=%.3f\n",
                (unsigned long long)st.sleeps, (unsigned long long)st.wakes,
                (unsigned long long)st.wakes_guard, (unsigned long long)xs.indications,
                (unsigned long long)xs.ccc_ok, (unsigned long long)xs.ccc_failed,
                (unsigned long long)xs.rc_ok, (unsigned long long)xs.rc_failed, mae, mape);
    }
    kz_esx_close(s);
    kz_loop_close(app.loop);
    if (ec.log != stderr)
        fclose(ec.log);
    return 0;
}
