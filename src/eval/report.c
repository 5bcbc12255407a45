/*
 * eval/report.c -- HTML + inline SVG line charts, written straight to a FILE.
 * One chart helper draws series of per-window values against the time of day.
 */
#include "eval/report.h"

#include <math.h>
#include <string.h>

#include "kizuna/error.h"

static const char *const colours[] = {"#444444", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                      "#9467bd"};

static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

enum { W = 760, H = 260, ML = 60, MR = 150, MT = 20, MB = 40 };

/* series[k][w] for k < n, windows nw of window_s seconds; log10 y axis when logy */
static void chart(FILE *f, const char *title, const char *ylabel,
                  const struct kz_run_result *res, size_t n, int which, int logy)
{
    size_t nw = res[0].m.n_windows;
    double ws = res[0].m.window_s;
    double ymin = INFINITY, ymax = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        for (size_t w = 0; w < nw; w++) {
            const struct kz_metrics_result *m = &res[k].m;
            double v = which == 0 ? m->w_power[w] / 1000 : which == 1 ? m->w_asleep[w]
                     : which == 2 ? m->w_p5[w] : m->w_mean[w];
            if (logy && v <= 0)
                continue;
            if (logy)
                v = log10(v);
            if (v < ymin) ymin = v;
            if (v > ymax) ymax = v;
        }
    }
    if (!isfinite(ymin)) {
        ymin = 0;
        ymax = 1;
    }
    if (!logy && which != 0)
        ymin = 0;
    if (ymax - ymin < 1e-9)
        ymax = ymin + 1;
    double pad = (ymax - ymin) * 0.05;
    ymax += pad;
    if (which == 0)
        ymin -= pad;
    double tmax = nw * ws;
    fprintf(f, "<h3>");
    esc(f, title);
    fprintf(f, "</h3>\n<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
               "font-family='sans-serif' font-size='11'>\n", W, H);
    fprintf(f, "<rect x='%d' y='%d' width='%d' height='%d' fill='#fafafa' stroke='#ccc'/>\n", ML,
            MT, W - ML - MR, H - MT - MB);
    /* x ticks every 3 h */
    for (double t = 0; t <= tmax + 1; t += 3 * 3600) {
        double x = ML + (W - ML - MR) * t / tmax;
        fprintf(f, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#e4e4e4'/>"
                   "<text x='%.1f' y='%d' text-anchor='middle'>%02d:00</text>\n",
                x, MT, x, H - MB, x, H - MB + 14, (int)(t / 3600) % 24);
    }
    for (int i = 0; i <= 4; i++) {
        double v = ymin + (ymax - ymin) * i / 4;
        double y = H - MB - (H - MT - MB) * i / 4.0;
        fprintf(f, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#e4e4e4'/>"
                   "<text x='%d' y='%.1f' text-anchor='end'>%.3g</text>\n",
                ML, y, W - MR, y, ML - 4, y + 4, logy ? pow(10, v) : v);
    }
    fprintf(f, "<text x='14' y='%d' transform='rotate(-90 14 %d)' text-anchor='middle'>",
            (H - MB + MT) / 2, (H - MB + MT) / 2);
    esc(f, ylabel);
    fprintf(f, "</text>\n");
    for (size_t k = 0; k < n; k++) {
        const struct kz_metrics_result *m = &res[k].m;
        fprintf(f, "<polyline fill='none' stroke='%s' stroke-width='%s' points='",
                colours[k % 6], k == n - 1 ? "2.2" : "1.4");
        for (size_t w = 0; w < nw; w++) {
            double v = which == 0 ? m->w_power[w] / 1000 : which == 1 ? m->w_asleep[w]
                     : which == 2 ? m->w_p5[w] : m->w_mean[w];
            if (logy)
                v = v > 0 ? log10(v) : ymin;
            double x = ML + (W - ML - MR) * (w + 0.5) * ws / tmax;
            double y = H - MB - (H - MT - MB) * (v - ymin) / (ymax - ymin);
            fprintf(f, "%.1f,%.1f ", x, y);
        }
        fprintf(f, "'/>\n<rect x='%d' y='%zu' width='14' height='3' fill='%s'/>"
                   "<text x='%d' y='%zu'>", W - MR + 8, MT + 10 + 16 * k, colours[k % 6],
                W - MR + 26, MT + 14 + 16 * k);
        esc(f, res[k].name);
        fprintf(f, "</text>\n");
    }
    fprintf(f, "</svg>\n");
}

int kz_report_html(FILE *f, const struct kz_report_info *info, const struct kz_run_result *res,
                   size_t n)
{
    fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>");
    esc(f, info->title);
    fprintf(f, "</title>\n<style>body{font-family:sans-serif;max-width:980px;margin:2em auto;"
               "color:#222}table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:"
               "1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}"
               "pre{background:#f4f4f4;padding:8px;overflow-x:auto}</style></head><body>\n<h1>");
    esc(f, info->title);
    fprintf(f, "</h1>\n");
    if (info->command) {
        fprintf(f, "<p>Produced by:</p><pre>");
        esc(f, info->command);
        fprintf(f, "</pre>\n");
    }
    if (info->notes) {
        fprintf(f, "<p>");
        esc(f, info->notes);
        fprintf(f, "</p>\n");
    }
    /* table */
    double e0 = res[0].m.energy_kwh;
    double best = n > KZ_EVAL_CLAIRVOYANT ? e0 - res[KZ_EVAL_CLAIRVOYANT].m.energy_kwh : 0;
    fprintf(f, "<h2>Results (ground truth of the emulator)</h2>\n<table><tr><th>policy</th>"
               "<th>energy kWh</th><th>saving %%</th><th>of clairvoyant %%</th>"
               "<th>thp mean Mbit/s</th><th>thp p5 Mbit/s</th><th>p5 vs always-on %%</th>"
               "<th>unmet %%</th><th>cell-h asleep</th><th>sleeps</th><th>wakes (guard)</th>%s"
               "</tr>\n", info->bar ? "<th>QoS bar</th>" : "");
    for (size_t k = 0; k < n; k++) {
        const struct kz_run_result *r = &res[k];
        double sav = e0 > 0 ? 100 * (e0 - r->m.energy_kwh) / e0 : 0;
        double dp5 = res[0].m.thp_p5_mbps > 0
                         ? 100 * (r->m.thp_p5_mbps / res[0].m.thp_p5_mbps - 1) : 0;
        fprintf(f, "<tr><td style='color:%s'><b>", colours[k % 6]);
        esc(f, r->name);
        fprintf(f, "</b></td><td>%.1f</td><td>%.1f</td><td>", r->m.energy_kwh, sav);
        if (best > 0 && k > 0)
            fprintf(f, "%.0f", 100 * (e0 - r->m.energy_kwh) / best);
        else
            fprintf(f, "-");
        fprintf(f, "</td><td>%.1f</td><td>%.2f</td><td>%+.2f</td><td>%.2f</td><td>%.1f</td>"
                   "<td>%llu</td><td>%llu (%llu)</td>",
                r->m.thp_mean_mbps, r->m.thp_p5_mbps, dp5, r->m.unmet_pct,
                r->m.cell_hours_asleep, (unsigned long long)r->es.sleeps,
                (unsigned long long)r->es.wakes, (unsigned long long)r->es.wakes_guard);
        if (info->bar)
            fprintf(f, "<td>%s</td>",
                    k == 0 ? "reference"
                    : kz_eval_meets_bar(&res[0], r, info->bar_p5_tol, info->bar_unmet_pp)
                        ? "met" : "<b>broken</b>");
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</table>\n");
    chart(f, "Power of the whole RAN over the day", "kW", res, n, 0, 0);
    chart(f, "Capacity cells asleep (mean over each window)", "cells", res, n, 1, 0);
    chart(f, "5th-percentile user throughput per window", "Mbit/s (log)", res, n, 2, 1);
    chart(f, "Mean user throughput per window", "Mbit/s (log)", res, n, 3, 1);
    /* forecasters */
    if (n > KZ_EVAL_AI) {
        const struct kz_es_stats *st = &res[KZ_EVAL_AI].es;
        fprintf(f, "<h2>Forecasters of the energy saver</h2>\n<p>Target: the load (Mbit/s) a "
                   "coverage cell and its capacity cell carry together, per %.0f-minute slot; "
                   "errors pooled over all sectors and horizons 1..%u slots.</p>\n"
                   "<table><tr><th>model</th><th>MAE Mbit/s</th><th>MAPE %%</th>"
                   "<th>sectors using it at the end</th></tr>\n",
                st->fc_slot_s / 60, st->fc_horizon);
        for (int mdl = 0; mdl <= KZ_FC_NMODELS; mdl++) {
            double mae, mape;
            kz_es_stats_fc_error(st, mdl, st->fc_horizon, &mae, &mape);
            fprintf(f, "<tr><td>%s</td><td>%.2f</td><td>%.1f</td><td>",
                    mdl == KZ_FC_USED ? "selected per sector" : kz_fc_model_name(mdl), mae,
                    100 * mape);
            if (mdl < KZ_FC_NMODELS)
                fprintf(f, "%u", st->best_count[mdl]);
            fprintf(f, "</td></tr>\n");
        }
        fprintf(f, "</table>\n");
    }
    fprintf(f, "</body></html>\n");
    return ferror(f) ? KZ_EIO : 0;
}
