/*
 * eval/report.h -- the comparison as one self-contained HTML page with inline SVG plots.
 *
 * Why: a table says who won; plots say why (when cells slept, what it cost in power and user
 * throughput over the day).  The page is generated in C with no network access, no scripts and
 * no external files, so it opens anywhere and can be attached to a CI run.
 *
 * Contents: the scenario and command line, the results table (the one kz_eval_print_table
 * prints), power over the day per policy, capacity cells asleep over time, 5th-percentile and
 * mean user throughput per window per policy, and the forecast error of each model.
 */
#ifndef KZ_EVAL_REPORT_H
#define KZ_EVAL_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "eval/run.h"

struct kz_report_info {
    const char *title;      /* "Kizuna energy saving -- small-city, seed 20240611" */
    const char *command;    /* the command line that produced it */
    const char *notes;      /* free text paragraph (HTML-escaped on output), may be NULL */
    int bar;                /* 1: a "QoS bar" column judges each row by kz_eval_meets_bar */
    double bar_p5_tol, bar_unmet_pp;
};

/* Writes the page to f.  res as kz_eval_compare fills it (KZ_EVAL_NRUNS entries).
 * Returns 0 or KZ_EIO. */
int kz_report_html(FILE *f, const struct kz_report_info *info, const struct kz_run_result *res,
                   size_t n);

#endif
