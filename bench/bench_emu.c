/*
 * bench_emu -- how fast the emulator's world runs (no E2: the model alone, which is what an
 * offline evaluation of five policies pays five times).
 *
 * Prints, per case: simulated seconds per wall second and per CPU second, UE-steps per CPU
 * second, and the CPU time of 24 simulated hours (measured, or extrapolated from the run when
 * the case is shorter -- then marked "extrapolated").  CPU time is the figure to trust on a
 * shared machine; wall time is printed too.
 *
 *   bench_emu                 small city 24 h at 1 s and 5 s; large city 19:00-21:00 at 1 s
 *   KZ_BENCH_FULL=1 bench_emu ... and the large city's whole day at 1 s
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "emu/scenario.h"
#include "kizuna/emu.h"

static double now_s(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int bench(const char *name, const char *file, double step, double start, double dur)
{
    struct kz_scenario *s;
    char err[256];
    if (kz_emu_scenario_load(file, &s, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    kz_emu_cfg cfg;
    kz_emu_cfg_default(&cfg);
    cfg.scenario = s;
    cfg.step_s = step;
    cfg.start_s = start;
    cfg.duration_s = dur;
    kz_emu *e;
    double c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    if (kz_emu_create(&e, &cfg, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    double c1 = now_s(CLOCK_PROCESS_CPUTIME_ID), w1 = now_s(CLOCK_MONOTONIC);
    while (kz_emu_step(e) == 0)
        ;
    double c2 = now_s(CLOCK_PROCESS_CPUTIME_ID), w2 = now_s(CLOCK_MONOTONIC);
    double cpu = c2 - c1, wall = w2 - w1;
    double ue_steps = (double)kz_emu_n_ues(e) * (double)kz_emu_steps_done(e);
    printf("%-34s %6zu UEs  step %3.0f s  %8.0f sim s: create %.2f s CPU; run %.2f s CPU "
           "(%.2f s wall) = %6.0f sim-s/CPU-s, %5.0f sim-s/wall-s, %6.2f M UE-steps/CPU-s; "
           "24 h = %.1f s CPU%s\n",
           name, kz_emu_n_ues(e), step, dur, c1 - c0, cpu, wall, dur / cpu, dur / wall,
           ue_steps / cpu / 1e6, cpu * 86400.0 / dur, dur < 86400.0 ? " (extrapolated)" : "");
    fflush(stdout);
    kz_emu_destroy(e);
    kz_emu_scenario_free(s);
    return 0;
}

int main(void)
{
    const char *small = KZ_SOURCE_DIR "/scenarios/small-city.json";
    const char *large = KZ_SOURCE_DIR "/scenarios/large-city.json";
    int rc = 0;
    rc |= bench("small-city 24 h", small, 1.0, 0.0, 86400.0);
    rc |= bench("small-city 24 h", small, 5.0, 0.0, 86400.0);
    rc |= bench("large-city 19:00-21:00 (busy)", large, 1.0, 19 * 3600.0, 7200.0);
    if (getenv("KZ_BENCH_FULL"))
        rc |= bench("large-city 24 h", large, 1.0, 0.0, 86400.0);
    return rc;
}
