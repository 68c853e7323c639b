/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-chart-scale"

#include "config.h"

#include <glib/gi18n.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "brm-chart-scale.h"

void
brm_chart_scale_init (BrmChartScale *scale,
                      double         domain_min,
                      double         domain_max,
                      double         range_min,
                      double         range_max)
{
  scale->domain_min = domain_min;
  scale->domain_max = domain_max;
  scale->range_min = range_min;
  scale->range_max = range_max;
}

double
brm_chart_scale_map (const BrmChartScale *scale,
                     double               value)
{
  double span = scale->domain_max - scale->domain_min;

  if (!(span > 0))
    return (scale->range_min + scale->range_max) / 2;

  return scale->range_min + (value - scale->domain_min) / span * (scale->range_max - scale->range_min);
}

double
brm_chart_scale_invert (const BrmChartScale *scale,
                        double               pixel)
{
  double range = scale->range_max - scale->range_min;

  if (range == 0)
    return scale->domain_min;

  return scale->domain_min + (pixel - scale->range_min) / range * (scale->domain_max - scale->domain_min);
}

/* The smallest of 1, 2, 5 × 10^n that is at least @raw. */
static double
nice_step (double raw)
{
  double mag = pow (10, floor (log10 (raw)));
  double f = raw / mag;

  /* A little tolerance: 0.2 / 0.1 may come out as 2.0000000000000004. */
  if (f <= 1 + 1e-9)
    return mag;
  if (f <= 2 + 1e-9)
    return 2 * mag;
  if (f <= 5 + 1e-9)
    return 5 * mag;
  return 10 * mag;
}

static double
next_nice_step (double step)
{
  double mag = pow (10, floor (log10 (step) + 1e-9));
  double f = step / mag;

  if (f < 1.5)
    return 2 * mag;
  if (f < 3.5)
    return 5 * mag;
  return 10 * mag;
}

GArray *
brm_chart_nice_ticks (double  data_min,
                      double  data_max,
                      guint   max_ticks,
                      double *axis_min,
                      double *axis_max,
                      double *step_out)
{
  GArray *ticks = g_array_new (FALSE, FALSE, sizeof (double));
  double lo = data_min, hi = data_max, step, first, last;
  guint n;

  max_ticks = MAX (max_ticks, 2);

  if (!isfinite (lo) || !isfinite (hi))
    lo = 0, hi = 1;
  if (lo > hi)
    {
      double t = lo;
      lo = hi;
      hi = t;
    }

  /* Every value ≥ 0 (a cost, a count): the axis starts at 0, so bars and
   * areas are honest and nothing suggests a negative amount. */
  if (lo >= 0)
    lo = 0;

  if (hi - lo == 0)
    {
      if (hi == 0)
        hi = 1;
      else
        {
          /* One negative value: pad around it, up to 0. */
          double pad = fabs (hi) * 0.1;

          lo -= pad;
          hi = MIN (hi + pad, 0);
          if (hi == lo)
            hi = lo + 1;
        }
    }

  step = nice_step ((hi - lo) / (max_ticks - 1));
  for (;;)
    {
      first = floor (lo / step + 1e-9) * step;
      last = ceil (hi / step - 1e-9) * step;
      n = (guint) llround ((last - first) / step) + 1;
      if (n <= max_ticks)
        break;
      step = next_nice_step (step);
    }

  for (guint i = 0; i < n; i++)
    {
      /* Snap to the step so 0.1 * 3 reads 0.3, and no tick reads -0. */
      double v = round ((first + i * step) / step) * step;

      if (v == 0)
        v = 0;
      g_array_append_val (ticks, v);
    }

  if (axis_min)
    *axis_min = g_array_index (ticks, double, 0);
  if (axis_max)
    *axis_max = g_array_index (ticks, double, ticks->len - 1);
  if (step_out)
    *step_out = step;

  return ticks;
}

/* Steps a clock reader expects, in seconds. */
static const double time_steps[] = {
  1, 5, 15, 30,
  60, 5 * 60, 15 * 60, 30 * 60,
  3600, 3 * 3600, 6 * 3600, 12 * 3600,
  86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400,
};

GArray *
brm_chart_time_ticks (double  t_min,
                      double  t_max,
                      guint   max_ticks,
                      double *step_out)
{
  GArray *ticks = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GDateTime) local = NULL;
  double span, step = 0, offset = 0, t;

  if (!isfinite (t_min) || !isfinite (t_max) || t_max < t_min)
    {
      if (step_out)
        *step_out = 0;
      return ticks;
    }

  max_ticks = MAX (max_ticks, 1);
  span = t_max - t_min;

  for (guint i = 0; i < G_N_ELEMENTS (time_steps); i++)
    {
      step = time_steps[i];
      if (floor (span / step) + 1 <= max_ticks)
        break;
    }
  while (floor (span / step) + 1 > max_ticks)
    step *= 2;

  /* Align to the local clock: "14:00", "14:15", and days at local
   * midnight. (The offset at the start holds across the range; a DST
   * change inside it shifts later ticks by the hour difference.) */
  local = g_date_time_new_from_unix_local ((gint64) floor (t_min));
  if (local != NULL)
    offset = g_date_time_get_utc_offset (local) / (double) G_TIME_SPAN_SECOND;

  for (t = ceil ((t_min + offset) / step - 1e-9) * step - offset; t <= t_max + 1e-6; t += step)
    g_array_append_val (ticks, t);

  if (step_out)
    *step_out = step;

  return ticks;
}

GArray *
brm_chart_split_segments (const BrmChartSample *samples,
                          guint                 n_samples)
{
  GArray *segments = g_array_new (FALSE, FALSE, sizeof (BrmChartSegment));
  BrmChartSegment seg = { 0, 0 };
  gboolean open = FALSE;

  for (guint i = 0; i < n_samples; i++)
    {
      if (isnan (samples[i].y))
        {
          if (open)
            {
              seg.end = i;
              g_array_append_val (segments, seg);
              open = FALSE;
            }
          continue;
        }
      if (!open)
        {
          seg.start = i;
          open = TRUE;
        }
    }
  if (open)
    {
      seg.end = n_samples;
      g_array_append_val (segments, seg);
    }

  return segments;
}

static guint
lower_bound (const BrmChartSample *samples,
             guint                 n,
             double                x)
{
  guint lo = 0, hi = n;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (samples[mid].x < x)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

typedef struct
{
  gboolean open;
  gint64   column;
  guint    first, last, min, max;
} Bucket;

static void
flush_bucket (Bucket               *b,
              const BrmChartSample *samples,
              GArray               *out)
{
  guint idx[4];
  guint n = 0;

  if (!b->open)
    return;

  /* The four in index order, each once. */
  idx[n++] = b->first;
  if (b->min != b->first)
    idx[n++] = b->min;
  if (b->max != b->first && b->max != b->min)
    idx[n++] = b->max;
  if (b->last != b->first && b->last != b->min && b->last != b->max)
    idx[n++] = b->last;
  for (guint i = 1; i < n; i++)
    for (guint j = i; j > 0 && idx[j - 1] > idx[j]; j--)
      {
        guint t = idx[j];
        idx[j] = idx[j - 1];
        idx[j - 1] = t;
      }

  for (guint i = 0; i < n; i++)
    g_array_append_val (out, samples[idx[i]]);

  b->open = FALSE;
}

GArray *
brm_chart_decimate (const BrmChartSample *samples,
                    guint                 n_samples,
                    double                x_min,
                    double                x_max,
                    guint                 columns)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (BrmChartSample));
  Bucket b = { FALSE, 0, 0, 0, 0, 0 };
  guint start, end;
  double span = x_max - x_min;

  if (n_samples == 0)
    return out;

  columns = MAX (columns, 1);

  /* One sample beyond each edge, so the line runs to the border. */
  start = lower_bound (samples, n_samples, x_min);
  if (start > 0)
    start--;
  end = lower_bound (samples, n_samples, nextafter (x_max, INFINITY));
  if (end < n_samples)
    end++;

  if (!(span > 0))
    {
      g_array_append_vals (out, samples + start, end - start);
      return out;
    }

  for (guint i = start; i < end; i++)
    {
      const BrmChartSample *s = &samples[i];
      gint64 column;

      if (isnan (s->y))
        {
          flush_bucket (&b, samples, out);
          if (out->len > 0 && !isnan (g_array_index (out, BrmChartSample, out->len - 1).y))
            g_array_append_val (out, *s);
          continue;
        }

      column = (gint64) floor ((s->x - x_min) / span * columns);
      if (b.open && column == b.column)
        {
          b.last = i;
          if (s->y < samples[b.min].y)
            b.min = i;
          if (s->y > samples[b.max].y)
            b.max = i;
          continue;
        }

      flush_bucket (&b, samples, out);
      b.open = TRUE;
      b.column = column;
      b.first = b.last = b.min = b.max = i;
    }
  flush_bucket (&b, samples, out);

  return out;
}

static void
widen (double *lo,
       double *hi,
       guint   column,
       double  y)
{
  if (isnan (lo[column]))
    lo[column] = hi[column] = y;
  else
    {
      lo[column] = MIN (lo[column], y);
      hi[column] = MAX (hi[column], y);
    }
}

guint
brm_chart_column_spans (const BrmChartSample *samples,
                        guint                 n_samples,
                        double                x_min,
                        double                x_max,
                        guint                 columns,
                        double               *lo,
                        double               *hi)
{
  double span = x_max - x_min, col_w;
  gboolean have_prev = FALSE;
  gint64 prev_col = -1;
  double prev_x = 0, prev_y = 0;
  guint start, filled = 0;

  for (guint c = 0; c < columns; c++)
    lo[c] = hi[c] = NAN;

  if (n_samples == 0 || columns == 0 || !(span > 0))
    return 0;

  col_w = span / columns;
  start = lower_bound (samples, n_samples, x_min);

  /* The sample before the window leads the line in from the left edge. */
  if (start > 0 && !isnan (samples[start - 1].y))
    {
      have_prev = TRUE;
      prev_col = -1;
      prev_x = samples[start - 1].x;
      prev_y = samples[start - 1].y;
    }

  for (guint i = start; i < n_samples && samples[i].x <= x_max; i++)
    {
      const BrmChartSample *s = &samples[i];
      gint64 col;

      if (isnan (s->y))
        {
          have_prev = FALSE;
          continue;
        }

      col = MIN ((gint64) floor ((s->x - x_min) / col_w), (gint64) columns - 1);

      if (have_prev && col != prev_col)
        {
          /* Join: across the skipped columns by interpolation, then
           * from where the line enters this column. */
          double slope = s->x > prev_x ? (s->y - prev_y) / (s->x - prev_x) : 0;

          for (gint64 c = MAX (prev_col + 1, 0); c < col; c++)
            {
              double ya = prev_y + slope * (x_min + c * col_w - prev_x);
              double yb = prev_y + slope * (x_min + (c + 1) * col_w - prev_x);

              widen (lo, hi, c, ya);
              widen (lo, hi, c, yb);
            }
          if (col == prev_col + 1 && prev_col >= 0)
            widen (lo, hi, col, prev_y);
          else
            widen (lo, hi, col, prev_y + slope * (x_min + col * col_w - prev_x));
        }

      widen (lo, hi, col, s->y);
      have_prev = TRUE;
      prev_col = col;
      prev_x = s->x;
      prev_y = s->y;
    }

  for (guint c = 0; c < columns; c++)
    if (!isnan (lo[c]))
      filled++;
  return filled;
}

char *
brm_chart_group_digits (const char *number,
                        const char *separator,
                        const char *grouping)
{
  GString *out;
  const char *digits, *rest;
  gsize n_digits, sep_len;
  g_autofree gboolean *cut = NULL;

  g_return_val_if_fail (number != NULL, NULL);

  if (separator == NULL || *separator == '\0' || grouping == NULL || *grouping == '\0')
    return g_strdup (number);

  digits = number;
  while (*digits == '-' || *digits == '+')
    digits++;
  rest = digits;
  while (g_ascii_isdigit (*rest))
    rest++;
  n_digits = rest - digits;
  if (n_digits == 0)
    return g_strdup (number);

  /* Mark, counting from the right, where a separator goes. */
  cut = g_new0 (gboolean, n_digits + 1);
  {
    const char *g = grouping;
    gsize pos = 0, size = 0;

    for (;;)
      {
        if (*g != '\0')
          {
            if ((unsigned char) *g == CHAR_MAX || *g <= 0)
              break;
            size = (unsigned char) *g;
            g++;
          }
        pos += size;
        if (pos >= n_digits)
          break;
        cut[pos] = TRUE;
      }
  }

  sep_len = strlen (separator);
  out = g_string_sized_new (strlen (number) + n_digits / 3 * sep_len + 1);
  g_string_append_len (out, number, digits - number);
  for (gsize i = 0; i < n_digits; i++)
    {
      gsize from_right = n_digits - i;

      if (i > 0 && cut[from_right])
        g_string_append (out, separator);
      g_string_append_c (out, digits[i]);
    }
  g_string_append (out, rest);

  return g_string_free (out, FALSE);
}

char *
brm_chart_format_number (double value,
                         int    decimals)
{
  g_autofree char *plain = NULL;
  struct lconv *lc;

  if (isnan (value))
    return g_strdup ("—");

  decimals = CLAMP (decimals, 0, 9);

  /* No "-0" or "-0.00" for a value that rounds to zero. */
  if (fabs (value) < 0.5 * pow (10, -decimals))
    value = 0;

  plain = g_strdup_printf ("%.*f", decimals, value);
  lc = localeconv ();
  return brm_chart_group_digits (plain, lc->thousands_sep, lc->grouping);
}

static gboolean
is_integral (double v)
{
  return fabs (v - round (v)) < 1e-9 * MAX (1, fabs (v));
}

/* Amount and sign of a money value: "$1,234.50", "−$5.00". */
static char *
format_usd (double value,
            int    decimals)
{
  g_autofree char *amount = brm_chart_format_number (fabs (value), decimals);

  /* Translators: a US dollar amount; %s is the number ("1,234.50"). */
  if (value < 0 && strcmp (amount, "0") != 0 && strspn (amount, "0.,") != strlen (amount))
    return g_strdup_printf (_("−$%s"), amount);
  return g_strdup_printf (_("$%s"), amount);
}

char *
brm_chart_format_value (BrmChartUnit unit,
                        double       value)
{
  g_autofree char *num = NULL;

  if (isnan (value))
    return g_strdup ("—");

  switch (unit)
    {
    case BRM_CHART_UNIT_USD:
      return format_usd (value, 2);

    case BRM_CHART_UNIT_LEADS_PER_MINUTE:
      num = brm_chart_format_number (value, (fabs (value) < 10 && !is_integral (value)) ? 1 : 0);
      /* Translators: a processing rate; %s is the number. */
      return g_strdup_printf (_("%s leads/min"), num);

    case BRM_CHART_UNIT_MILLISECONDS:
      if (fabs (value) < 1000)
        {
          num = brm_chart_format_number (value, (fabs (value) < 10 && !is_integral (value)) ? 1 : 0);
          /* Translators: a duration in milliseconds. */
          return g_strdup_printf (_("%s ms"), num);
        }
      if (fabs (value) < 60000)
        {
          num = brm_chart_format_number (value / 1000, 1);
          /* Translators: a duration in seconds. */
          return g_strdup_printf (_("%s s"), num);
        }
      num = brm_chart_format_number (value / 60000, 1);
      /* Translators: a duration in minutes. */
      return g_strdup_printf (_("%s min"), num);

    case BRM_CHART_UNIT_PERCENT:
      num = brm_chart_format_number (value, is_integral (value) ? 0 : 1);
      /* Translators: a percentage; %s is the number. */
      return g_strdup_printf (_("%s %%"), num);

    case BRM_CHART_UNIT_COUNT:
    default:
      if (is_integral (value))
        return brm_chart_format_number (value, 0);
      return brm_chart_format_number (value, fabs (value) < 10 ? 2 : 1);
    }
}

static int
decimals_for_step (double step)
{
  if (!(step > 0) || step >= 1)
    return 0;
  return CLAMP ((int) ceil (-log10 (step) - 1e-9), 0, 9);
}

char *
brm_chart_format_tick (BrmChartUnit unit,
                       double       value,
                       double       step)
{
  g_autofree char *num = NULL;
  int decimals = decimals_for_step (step);

  if (isnan (value))
    return g_strdup ("—");

  switch (unit)
    {
    case BRM_CHART_UNIT_USD:
      return format_usd (value, decimals > 0 ? MAX (decimals, 2) : 0);

    case BRM_CHART_UNIT_LEADS_PER_MINUTE:
      num = brm_chart_format_number (value, decimals);
      return g_strdup_printf (_("%s leads/min"), num);

    case BRM_CHART_UNIT_MILLISECONDS:
      /* One unit per axis: seconds once the ticks are a second apart. */
      if (step >= 1000)
        {
          num = brm_chart_format_number (value / 1000, decimals_for_step (step / 1000));
          return g_strdup_printf (_("%s s"), num);
        }
      num = brm_chart_format_number (value, decimals);
      return g_strdup_printf (_("%s ms"), num);

    case BRM_CHART_UNIT_PERCENT:
      num = brm_chart_format_number (value, decimals);
      return g_strdup_printf (_("%s %%"), num);

    case BRM_CHART_UNIT_COUNT:
    default:
      return brm_chart_format_number (value, decimals);
    }
}

char *
brm_chart_format_x_value (BrmChartXKind kind,
                          double        x,
                          double        span)
{
  g_autoptr(GDateTime) dt = NULL;

  if (!isfinite (x))
    return g_strdup ("—");

  switch (kind)
    {
    case BRM_CHART_X_HOUR:
      return g_strdup_printf ("%02d:00", ((int) floor (x) % 24 + 24) % 24);

    case BRM_CHART_X_DAY:
      /* A day is named by its start; read it at noon UTC so the date is
       * right whether the producer gave UTC or local midnight. */
      dt = g_date_time_new_from_unix_utc ((gint64) floor (x) + 12 * 3600);
      /* Translators: a day on a chart axis, as strftime: "18 Nov". */
      return dt ? g_date_time_format (dt, _("%-d %b")) : g_strdup ("—");

    case BRM_CHART_X_TIME:
    default:
      dt = g_date_time_new_from_unix_local ((gint64) floor (x));
      if (dt == NULL)
        return g_strdup ("—");
      if (span > 86400)
        /* Translators: a day and time on a chart axis, as strftime. */
        return g_date_time_format (dt, _("%-d %b %H:%M"));
      if (span > 0 && span < 120)
        return g_date_time_format (dt, "%H:%M:%S");
      return g_date_time_format (dt, "%H:%M");
    }
}

char *
brm_chart_format_duration (double seconds)
{
  gulong n;

  if (seconds < 120)
    {
      n = (gulong) MAX (0, round (seconds));
      return g_strdup_printf (ngettext ("%lu second", "%lu seconds", n), n);
    }
  if (seconds < 2 * 3600)
    {
      n = (gulong) round (seconds / 60);
      return g_strdup_printf (ngettext ("%lu minute", "%lu minutes", n), n);
    }
  if (seconds < 2 * 86400)
    {
      n = (gulong) round (seconds / 3600);
      return g_strdup_printf (ngettext ("%lu hour", "%lu hours", n), n);
    }
  n = (gulong) round (seconds / 86400);
  return g_strdup_printf (ngettext ("%lu day", "%lu days", n), n);
}
