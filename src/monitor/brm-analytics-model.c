/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-analytics-model"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "brm-analytics-model.h"
#include "brm-csv.h"
#include "brm-stats.h"

/* What the Analytics page shows, without GTK: it asks the service for
 * GET /batch/analytics and turns the answer into chart series, the error
 * breakdown, top batches and anomalies.
 *
 * One refresh makes up to three requests, all real numbers from the
 * service, nothing estimated:
 *  - the period itself (7, 30 or 90 days): totals, daily rows, hourly
 *    throughput, error breakdown;
 *  - the period plus the 29 days before it (at most 90), so each day of
 *    the period has a trailing 30-day window for the anomaly test;
 *  - the latest half of the period, whose error counts subtracted from the
 *    period's give the earlier half: that is the error trend.
 * Batches per day by status, top batches and batch anomalies come from
 * the connection's BrBatchStore (the service's daily rows have no status);
 * days where the store holds fewer batches than the service counted show
 * the rest as "not loaded", so the bars always add up to the service's
 * number. */

#define DAY_SECONDS   86400
#define WINDOW_DAYS   30
#define TOP_N         5

typedef struct
{
  gint64 day_start;          /* Unix seconds, UTC */
  char  *date;               /* YYYY-MM-DD, as the service sent it */
  gint64 batches;
  gint64 processed;
  gint64 successful;
  gint64 failed;
  double cost;
  gint64 p50_ms;
  gint64 p95_ms;
} Day;

/* The status series, in stacking order (finished work at the bottom). */
static const struct {
  BrBatchStatus status;
  const char   *id;
  const char   *label;
} status_series[] = {
  { BR_BATCH_STATUS_COMPLETED, "completed", N_("Completed") },
  { BR_BATCH_STATUS_FAILED, "failed", N_("Failed") },
  { BR_BATCH_STATUS_CANCELLED, "cancelled", N_("Cancelled") },
  { BR_BATCH_STATUS_RUNNING, "running", N_("Running") },
  { BR_BATCH_STATUS_PAUSED, "paused", N_("Paused") },
  { BR_BATCH_STATUS_PENDING, "pending", N_("Pending") },
};
#define N_STATUS_SERIES (G_N_ELEMENTS (status_series) + 1)   /* + "not loaded" */

static const struct {
  const char *id;
  const char *label;
} series_info[BRM_ANALYTICS_N_SERIES] = {
  { "cost", N_("Cost") },
  { "budget", N_("Daily budget") },
  { "leads", N_("Leads processed") },
  { "success-rate", N_("Success rate") },
  { "p50", N_("Median lead time (p50)") },
  { "p95", N_("Slow lead time (p95)") },
  { "hourly", N_("Leads per hour of day") },
};

struct _BrmAnalyticsModel
{
  GObject            parent_instance;

  BrmConnection     *connection;
  guint              period_days;
  BrmAnalyticsState  state;
  char              *error_message;
  guint              n_refreshes;
  GCancellable      *cancellable;

  BrAnalytics       *analytics;
  GArray            *days;            /* of Day, the period only */
  double             daily_budget;
  gint64             status_counts[7]; /* per BrBatchStatus, whole period, from the store */

  GListStore        *status_series;   /* of BrmChartSeries */
  BrmChartSeries    *series[BRM_ANALYTICS_N_SERIES];
  GListStore        *error_breakdown; /* of BrmErrorRow */
  GListStore        *top_by_cost;     /* of BrBatch */
  GListStore        *top_by_failure;  /* of BrBatch */
  GListStore        *anomalies;       /* of BrmAnomaly */
};

G_DEFINE_FINAL_TYPE (BrmAnalyticsModel, brm_analytics_model, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_PERIOD_DAYS,
  PROP_STATE,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
day_clear (gpointer data)
{
  Day *day = data;

  g_free (day->date);
}

/* Fetching ------------------------------------------------------------------ */

typedef struct
{
  BrmAnalyticsModel *self;
  GCancellable      *cancellable;
  guint              period;
  guint              baseline_days;
  guint              half_days;
  guint              pending;
  BrAnalytics       *main;
  BrAnalytics       *baseline;
  BrAnalytics       *half;
  GError            *error;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_clear_object (&fetch->self);
  g_clear_object (&fetch->cancellable);
  g_clear_object (&fetch->main);
  g_clear_object (&fetch->baseline);
  g_clear_object (&fetch->half);
  g_clear_error (&fetch->error);
  g_free (fetch);
}

static void
set_state (BrmAnalyticsModel *self,
           BrmAnalyticsState  state,
           const char        *error_message)
{
  if (g_strcmp0 (self->error_message, error_message) != 0)
    {
      g_free (self->error_message);
      self->error_message = g_strdup (error_message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
    }
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static gint64
parse_day (const char *date)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *iso = g_strdup_printf ("%sT00:00:00Z", date);

  dt = g_date_time_new_from_iso8601 (iso, utc);
  return dt != NULL ? g_date_time_to_unix (dt) : -1;
}

static GArray *
days_of (BrAnalytics *analytics)
{
  GListModel *daily = br_analytics_get_daily (analytics);
  guint n = g_list_model_get_n_items (daily);
  GArray *days = g_array_sized_new (FALSE, TRUE, sizeof (Day), n);

  g_array_set_clear_func (days, day_clear);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BrDailyStat) stat = g_list_model_get_item (daily, i);
      Day day = {
        .day_start = parse_day (br_daily_stat_get_date (stat)),
        .date = g_strdup (br_daily_stat_get_date (stat)),
        .batches = br_daily_stat_get_batches (stat),
        .processed = br_daily_stat_get_leads_processed (stat),
        .successful = br_daily_stat_get_successful (stat),
        .failed = br_daily_stat_get_failed (stat),
        .cost = br_daily_stat_get_cost_usd (stat),
        .p50_ms = br_daily_stat_get_p50_lead_ms (stat),
        .p95_ms = br_daily_stat_get_p95_lead_ms (stat),
      };

      g_array_append_val (days, day);
    }
  return days;
}

static double
batch_failure_rate (BrBatch *batch)
{
  gint64 done = br_batch_get_successful_leads (batch) + br_batch_get_failed_leads (batch);

  return done > 0 ? (double) br_batch_get_failed_leads (batch) / (double) done : NAN;
}

static double
batch_cost_per_lead (BrBatch *batch)
{
  gint64 done = br_batch_get_successful_leads (batch) + br_batch_get_failed_leads (batch);

  return done > 0 ? br_batch_get_actual_cost_usd (batch) / (double) done : NAN;
}

static double
day_failure_rate (const Day *day)
{
  return day->processed > 0 ? (double) day->failed / (double) day->processed : NAN;
}

static double
day_cost_per_lead (const Day *day)
{
  return day->processed > 0 ? day->cost / (double) day->processed : NAN;
}

static char *
format_day (const Day *day)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (day->day_start);

  /* TRANSLATORS: a day in anomaly sentences, "18 Nov"; see g_date_time_format() */
  return dt != NULL ? g_date_time_format (dt, _("%-d %b")) : g_strdup (day->date);
}

static void
build_series (BrmAnalyticsModel *self,
              GPtrArray         *in_period)
{
  guint n = self->days->len;
  g_autofree BrmChartSample *samples = g_new0 (BrmChartSample, MAX (n, 24));
  g_autofree gint64 *by_status = g_new0 (gint64, (gsize) n * N_STATUS_SERIES);
  gint64 start = n > 0 ? g_array_index (self->days, Day, 0).day_start : 0;
  guint hourly[24];

  /* Batches per day by status, from the store. */
  memset (self->status_counts, 0, sizeof self->status_counts);
  for (guint i = 0; i < in_period->len; i++)
    {
      BrBatch *batch = g_ptr_array_index (in_period, i);
      gint64 day = (br_batch_get_created_at (batch) / G_USEC_PER_SEC - start) / DAY_SECONDS;
      BrBatchStatus status = br_batch_get_status (batch);

      if (status < G_N_ELEMENTS (self->status_counts))
        self->status_counts[status]++;
      if (day < 0 || day >= n)
        continue;
      for (guint s = 0; s < G_N_ELEMENTS (status_series); s++)
        if (status_series[s].status == status)
          by_status[day * N_STATUS_SERIES + s]++;
    }
  for (guint s = 0; s < N_STATUS_SERIES; s++)
    {
      BrmChartSeries *series = g_list_model_get_item (G_LIST_MODEL (self->status_series), s);

      for (guint d = 0; d < n; d++)
        {
          const Day *day = &g_array_index (self->days, Day, d);
          gint64 value;

          if (s < G_N_ELEMENTS (status_series))
            value = by_status[d * N_STATUS_SERIES + s];
          else
            {
              gint64 known = 0;

              for (guint k = 0; k < G_N_ELEMENTS (status_series); k++)
                known += by_status[d * N_STATUS_SERIES + k];
              value = MAX (0, day->batches - known);
            }
          samples[d].x = day->day_start;
          samples[d].y = value;
        }
      brm_chart_series_set_samples (series, samples, n);
      g_object_unref (series);
    }

  for (guint kind = 0; kind < BRM_ANALYTICS_SERIES_HOURLY; kind++)
    {
      for (guint d = 0; d < n; d++)
        {
          const Day *day = &g_array_index (self->days, Day, d);
          double y = NAN;

          switch ((BrmAnalyticsSeriesKind) kind)
            {
            case BRM_ANALYTICS_SERIES_COST:
              y = day->cost;
              break;
            case BRM_ANALYTICS_SERIES_BUDGET:
              y = self->daily_budget > 0 ? self->daily_budget : NAN;
              break;
            case BRM_ANALYTICS_SERIES_LEADS:
              y = day->processed;
              break;
            case BRM_ANALYTICS_SERIES_SUCCESS_RATE:
              y = day->processed > 0 ? 100.0 * day->successful / day->processed : NAN;
              break;
            case BRM_ANALYTICS_SERIES_P50:
              y = day->processed > 0 ? day->p50_ms : NAN;
              break;
            case BRM_ANALYTICS_SERIES_P95:
              y = day->processed > 0 ? day->p95_ms : NAN;
              break;
            case BRM_ANALYTICS_SERIES_HOURLY:
            case BRM_ANALYTICS_N_SERIES:
            default:
              g_assert_not_reached ();
            }
          samples[d].x = day->day_start;
          samples[d].y = y;
        }
      brm_chart_series_set_samples (self->series[kind], samples, n);
    }

  if (br_analytics_get_hourly (self->analytics, hourly))
    {
      for (guint h = 0; h < 24; h++)
        {
          samples[h].x = h;
          samples[h].y = hourly[h];
        }
      brm_chart_series_set_samples (self->series[BRM_ANALYTICS_SERIES_HOURLY], samples, 24);
    }
  else
    brm_chart_series_clear (self->series[BRM_ANALYTICS_SERIES_HOURLY]);
}

static void
build_errors (BrmAnalyticsModel *self,
              BrAnalytics       *half,
              guint              half_days)
{
  GListModel *errors = br_analytics_get_error_breakdown (self->analytics);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  guint period = self->period_days;
  guint earlier_days = period - half_days;

  for (guint i = 0; i < g_list_model_get_n_items (errors); i++)
    {
      g_autoptr(BrErrorStat) stat = g_list_model_get_item (errors, i);
      const char *code = br_error_stat_get_error_code (stat);
      gint64 count = br_error_stat_get_count (stat);
      BrmErrorTrend trend = BRM_ERROR_TREND_NONE;
      gint64 recent = 0;

      if (half != NULL && earlier_days > 0)
        {
          GListModel *recent_errors = br_analytics_get_error_breakdown (half);
          double recent_rate, earlier_rate;

          for (guint j = 0; j < g_list_model_get_n_items (recent_errors); j++)
            {
              g_autoptr(BrErrorStat) r = g_list_model_get_item (recent_errors, j);

              if (g_strcmp0 (br_error_stat_get_error_code (r), code) == 0)
                recent = br_error_stat_get_count (r);
            }
          /* Leads may fail between the two requests: never more recent
           * failures than in the whole period. */
          recent = MIN (recent, count);
          recent_rate = (double) recent / half_days;
          earlier_rate = (double) (count - recent) / earlier_days;
          /* Per day, since the halves differ by a day for odd periods;
           * within ±10 % counts as steady. */
          if (count - recent == 0)
            trend = BRM_ERROR_TREND_NEW;
          else if (recent_rate > earlier_rate * 1.1)
            trend = BRM_ERROR_TREND_RISING;
          else if (recent_rate < earlier_rate * 0.9)
            trend = BRM_ERROR_TREND_FALLING;
          else
            trend = BRM_ERROR_TREND_STEADY;
        }

      g_ptr_array_add (rows, brm_error_row_new (code, count,
                                                br_error_stat_get_sample_message (stat),
                                                br_error_stat_get_hint (stat),
                                                trend, recent, half_days, earlier_days));
    }

  g_list_store_splice (self->error_breakdown, 0, g_list_model_get_n_items (G_LIST_MODEL (self->error_breakdown)),
                       rows->pdata, rows->len);
}

static int
compare_cost_desc (gconstpointer a,
                   gconstpointer b)
{
  double x = br_batch_get_actual_cost_usd (*(BrBatch **) a);
  double y = br_batch_get_actual_cost_usd (*(BrBatch **) b);

  return (x < y) - (x > y);
}

static int
compare_failure_desc (gconstpointer a,
                      gconstpointer b)
{
  double x = batch_failure_rate (*(BrBatch **) a);
  double y = batch_failure_rate (*(BrBatch **) b);

  if (isnan (x))
    x = -1;
  if (isnan (y))
    y = -1;
  if (x != y)
    return (x < y) - (x > y);
  /* More failed leads first among equal rates: 5 of 5 before 1 of 1. */
  return (br_batch_get_failed_leads (*(BrBatch **) a) < br_batch_get_failed_leads (*(BrBatch **) b)) -
         (br_batch_get_failed_leads (*(BrBatch **) a) > br_batch_get_failed_leads (*(BrBatch **) b));
}

static void
fill_top (GListStore *store,
          GPtrArray  *batches,
          GCompareFunc compare,
          gboolean    by_failure)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_copy (batches, NULL, NULL);
  g_autoptr(GPtrArray) top = g_ptr_array_new ();

  g_ptr_array_sort (sorted, compare);
  for (guint i = 0; i < sorted->len && top->len < TOP_N; i++)
    {
      BrBatch *batch = g_ptr_array_index (sorted, i);

      /* A batch without cost or without failures is not a "top" one. */
      if (by_failure ? br_batch_get_failed_leads (batch) == 0 : br_batch_get_actual_cost_usd (batch) <= 0)
        break;
      g_ptr_array_add (top, batch);
    }
  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)), top->pdata, top->len);
}

static void
test_values (GPtrArray        *anomalies,
             const double     *baseline,
             gsize             n_baseline,
             double            value,
             const char       *subject,
             const char       *batch_id,
             BrmAnomalyMetric  metric)
{
  BrmStatsDeviation d;

  if (brm_stats_is_anomaly (baseline, n_baseline, value, BRM_STATS_ANOMALY_THRESHOLD, &d))
    g_ptr_array_add (anomalies, brm_anomaly_new (subject, batch_id, metric, value, d.median, d.score, d.mad_was_zero));
}

static void
build_anomalies (BrmAnalyticsModel *self,
                 GArray            *baseline_days,
                 GPtrArray         *all_batches,
                 GPtrArray         *in_period)
{
  g_autoptr(GPtrArray) anomalies = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 period_start = self->days->len > 0 ? g_array_index (self->days, Day, 0).day_start : G_MAXINT64;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  /* Days: each against the 30 days up to and including it. */
  if (baseline_days != NULL)
    {
      g_autofree double *fail = g_new (double, WINDOW_DAYS);
      g_autofree double *cpl = g_new (double, WINDOW_DAYS);

      for (guint i = 0; i < baseline_days->len; i++)
        {
          const Day *day = &g_array_index (baseline_days, Day, i);
          g_autofree char *subject = NULL;
          guint first = i + 1 >= WINDOW_DAYS ? i + 1 - WINDOW_DAYS : 0;
          gsize n = 0;

          if (day->day_start < period_start || day->processed == 0)
            continue;
          for (guint j = first; j <= i; j++)
            {
              const Day *w = &g_array_index (baseline_days, Day, j);

              fail[n] = day_failure_rate (w);
              cpl[n] = day_cost_per_lead (w);
              n++;
            }
          subject = format_day (day);
          test_values (anomalies, fail, n, day_failure_rate (day), subject, NULL, BRM_ANOMALY_FAILURE_RATE);
          test_values (anomalies, cpl, n, day_cost_per_lead (day), subject, NULL, BRM_ANOMALY_COST_PER_LEAD);
        }
    }

  /* Batches: each of the period against the batches of the last 30 days
   * that processed a lead. */
  {
    g_autoptr(GArray) fail = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) cpl = g_array_new (FALSE, FALSE, sizeof (double));

    for (guint i = 0; i < all_batches->len; i++)
      {
        BrBatch *batch = g_ptr_array_index (all_batches, i);
        double f = batch_failure_rate (batch), c = batch_cost_per_lead (batch);

        if (br_batch_get_created_at (batch) / G_USEC_PER_SEC < now - WINDOW_DAYS * DAY_SECONDS || isnan (f))
          continue;
        g_array_append_val (fail, f);
        g_array_append_val (cpl, c);
      }
    for (guint i = 0; i < in_period->len; i++)
      {
        BrBatch *batch = g_ptr_array_index (in_period, i);
        const char *name = br_batch_get_name (batch);
        const char *subject = name != NULL && *name ? name : br_batch_get_id (batch);

        test_values (anomalies, (double *) fail->data, fail->len, batch_failure_rate (batch),
                     subject, br_batch_get_id (batch), BRM_ANOMALY_FAILURE_RATE);
        test_values (anomalies, (double *) cpl->data, cpl->len, batch_cost_per_lead (batch),
                     subject, br_batch_get_id (batch), BRM_ANOMALY_COST_PER_LEAD);
      }
  }

  g_list_store_splice (self->anomalies, 0, g_list_model_get_n_items (G_LIST_MODEL (self->anomalies)),
                       anomalies->pdata, anomalies->len);
}

static double
current_budget (BrmAnalyticsModel *self)
{
  BrBatchStore *store = brm_connection_get_store (self->connection);
  BrHealth *health;

  if (br_batch_store_get_daily_budget (store) > 0)
    return br_batch_store_get_daily_budget (store);
  health = br_client_get_last_health (brm_connection_get_client (self->connection));
  if (health != NULL && br_health_get_daily_budget_usd (health) > 0)
    return br_health_get_daily_budget_usd (health);
  return 0;
}

static void
apply (BrmAnalyticsModel *self,
       Fetch             *fetch)
{
  BrBatchStore *store = brm_connection_get_store (self->connection);
  g_autoptr(GPtrArray) all_batches = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) in_period = g_ptr_array_new ();
  g_autoptr(GArray) baseline_days = NULL;
  gint64 start;

  g_set_object (&self->analytics, fetch->main);
  g_clear_pointer (&self->days, g_array_unref);
  self->days = days_of (fetch->main);
  self->daily_budget = current_budget (self);
  if (fetch->baseline != NULL)
    baseline_days = days_of (fetch->baseline);
  else if (self->days->len > 0)
    baseline_days = g_array_ref (self->days);

  /* The period starts at the service's start_date (midnight UTC). */
  start = br_analytics_get_start_date (fetch->main);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++)
    {
      BrBatch *batch = g_list_model_get_item (G_LIST_MODEL (store), i);

      g_ptr_array_add (all_batches, batch);
      if (br_batch_get_created_at (batch) >= start)
        g_ptr_array_add (in_period, batch);
    }

  build_series (self, in_period);
  build_errors (self, fetch->half, fetch->half_days);
  fill_top (self->top_by_cost, in_period, compare_cost_desc, FALSE);
  fill_top (self->top_by_failure, in_period, compare_failure_desc, TRUE);
  build_anomalies (self, baseline_days, all_batches, in_period);

  self->n_refreshes++;
  set_state (self, BRM_ANALYTICS_STATE_READY, NULL);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
analytics_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fetch *fetch = user_data;
  BrClient *client = BR_CLIENT (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(BrAnalytics) analytics = br_client_get_analytics_finish (client, result, &error);
  guint days = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (result), "brm-days"));

  if (analytics == NULL && fetch->error == NULL)
    fetch->error = g_steal_pointer (&error);
  else if (analytics != NULL)
    {
      /* Tell the answers apart by their period, not by arrival order. */
      days = (guint) br_analytics_get_period_days (analytics);
      if (days == fetch->period && fetch->main == NULL)
        fetch->main = g_steal_pointer (&analytics);
      else if (days == fetch->baseline_days && fetch->baseline == NULL)
        fetch->baseline = g_steal_pointer (&analytics);
      else if (days == fetch->half_days && fetch->half == NULL)
        fetch->half = g_steal_pointer (&analytics);
    }

  if (--fetch->pending > 0)
    return;

  if (!g_cancellable_is_cancelled (fetch->cancellable))
    {
      BrmAnalyticsModel *self = fetch->self;

      if (fetch->error != NULL)
        set_state (self, BRM_ANALYTICS_STATE_ERROR, fetch->error->message);
      else if (fetch->main == NULL)
        set_state (self, BRM_ANALYTICS_STATE_ERROR, _("The service answered for a different period"));
      else
        apply (self, fetch);
      if (self->cancellable == fetch->cancellable)
        g_clear_object (&self->cancellable);
    }
  fetch_free (fetch);
}

/**
 * brm_analytics_model_refresh:
 *
 * Asks the service again for the current period. An answer still on its
 * way for an earlier request is dropped. #BrmAnalyticsModel::changed is
 * emitted when the new data is in; on failure the older data stays and
 * #BrmAnalyticsModel:state is %BRM_ANALYTICS_STATE_ERROR.
 */
void
brm_analytics_model_refresh (BrmAnalyticsModel *self)
{
  BrClient *client;
  Fetch *fetch;
  guint requests[3];
  guint n_requests = 0;

  g_return_if_fail (BRM_IS_ANALYTICS_MODEL (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->connection == NULL)
    {
      set_state (self, BRM_ANALYTICS_STATE_ERROR, _("Not connected to a service"));
      return;
    }

  client = brm_connection_get_client (self->connection);
  self->cancellable = g_cancellable_new ();
  fetch = g_new0 (Fetch, 1);
  fetch->self = g_object_ref (self);
  fetch->cancellable = g_object_ref (self->cancellable);
  fetch->period = self->period_days;
  fetch->baseline_days = MIN (90, self->period_days + WINDOW_DAYS - 1);
  fetch->half_days = self->period_days / 2;

  requests[n_requests++] = fetch->period;
  if (fetch->baseline_days != fetch->period)
    requests[n_requests++] = fetch->baseline_days;
  if (fetch->half_days > 0 && fetch->half_days != fetch->period)
    requests[n_requests++] = fetch->half_days;
  else
    fetch->half_days = 0;

  set_state (self, BRM_ANALYTICS_STATE_LOADING, NULL);
  fetch->pending = n_requests;
  for (guint i = 0; i < n_requests; i++)
    br_client_get_analytics_async (client, requests[i], fetch->cancellable, analytics_cb, fetch);
}

/* CSV --------------------------------------------------------------------- */

static void
append_numbers (GString            *out,
                const char * const *fields,
                gsize               n)
{
  brm_csv_append_record (out, fields, n);
}

/**
 * brm_analytics_model_dup_csv:
 *
 * The data of the current view as one CSV file (RFC 4180, CRLF, dot as
 * decimal separator): four tables, each with its header row, separated by
 * an empty line: the daily rows with every column, the hourly throughput,
 * the error breakdown, the top batches, the anomalies. Empty fields are
 * "no data" (a day without leads has no success rate).
 */
char *
brm_analytics_model_dup_csv (BrmAnalyticsModel *self)
{
  GString *out = g_string_new (NULL);
  guint n_days = self->days ? self->days->len : 0;

  g_return_val_if_fail (BRM_IS_ANALYTICS_MODEL (self), NULL);

  {
    const char *header[] = {
      "date", "batches", "batches_completed", "batches_failed", "batches_cancelled", "batches_running",
      "batches_paused", "batches_pending", "batches_not_loaded", "leads_processed", "successful", "failed",
      "success_rate_percent", "cost_usd", "budget_usd", "cost_per_lead_usd", "p50_lead_ms", "p95_lead_ms",
    };

    brm_csv_append_record (out, header, G_N_ELEMENTS (header));
  }
  for (guint d = 0; d < n_days; d++)
    {
      const Day *day = &g_array_index (self->days, Day, d);
      char *f[18] = { NULL };
      guint k = 0;

      f[k++] = g_strdup (day->date);
      f[k++] = g_strdup_printf ("%" G_GINT64_FORMAT, day->batches);
      for (guint s = 0; s < N_STATUS_SERIES; s++)
        {
          g_autoptr(BrmChartSeries) series = g_list_model_get_item (G_LIST_MODEL (self->status_series), s);
          const BrmChartSample *samples = brm_chart_series_peek_samples (series, NULL);

          f[k++] = brm_csv_format_number (samples[d].y, 0);
        }
      f[k++] = g_strdup_printf ("%" G_GINT64_FORMAT, day->processed);
      f[k++] = g_strdup_printf ("%" G_GINT64_FORMAT, day->successful);
      f[k++] = g_strdup_printf ("%" G_GINT64_FORMAT, day->failed);
      f[k++] = brm_csv_format_number (day->processed > 0 ? 100.0 * day->successful / day->processed : NAN, -1);
      f[k++] = brm_csv_format_number (day->cost, -1);
      f[k++] = brm_csv_format_number (self->daily_budget > 0 ? self->daily_budget : NAN, -1);
      f[k++] = brm_csv_format_number (day_cost_per_lead (day), -1);
      f[k++] = brm_csv_format_number (day->processed > 0 ? day->p50_ms : NAN, 0);
      f[k++] = brm_csv_format_number (day->processed > 0 ? day->p95_ms : NAN, 0);
      g_assert (k == G_N_ELEMENTS (f));
      append_numbers (out, (const char * const *) f, k);
      for (guint i = 0; i < k; i++)
        g_free (f[i]);
    }

  brm_csv_append_record (out, NULL, 0);
  {
    const char *header[] = { "hour_utc", "leads" };
    guint n = 0;
    const BrmChartSample *samples = brm_chart_series_peek_samples (self->series[BRM_ANALYTICS_SERIES_HOURLY], &n);

    brm_csv_append_record (out, header, 2);
    for (guint h = 0; h < n; h++)
      {
        g_autofree char *hour = brm_csv_format_number (samples[h].x, 0);
        g_autofree char *leads = brm_csv_format_number (samples[h].y, 0);
        const char *f[] = { hour, leads };

        brm_csv_append_record (out, f, 2);
      }
  }

  brm_csv_append_record (out, NULL, 0);
  {
    const char *header[] = { "error_code", "count", "recent_count", "earlier_count", "trend", "sample_message", "hint" };

    brm_csv_append_record (out, header, G_N_ELEMENTS (header));
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->error_breakdown)); i++)
      {
        g_autoptr(BrmErrorRow) row = g_list_model_get_item (G_LIST_MODEL (self->error_breakdown), i);
        gboolean has_trend = brm_error_row_get_trend (row) != BRM_ERROR_TREND_NONE;
        g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, brm_error_row_get_count (row));
        g_autofree char *recent = has_trend ? g_strdup_printf ("%" G_GINT64_FORMAT, brm_error_row_get_recent_count (row)) : g_strdup ("");
        g_autofree char *earlier = has_trend ? g_strdup_printf ("%" G_GINT64_FORMAT, brm_error_row_get_earlier_count (row)) : g_strdup ("");
        static const char *trends[] = { "", "new", "rising", "steady", "falling" };
        const char *f[] = {
          brm_error_row_get_code (row), count, recent, earlier, trends[brm_error_row_get_trend (row)],
          brm_error_row_get_sample_message (row), brm_error_row_get_hint (row),
        };

        brm_csv_append_record (out, f, G_N_ELEMENTS (f));
      }
  }

  brm_csv_append_record (out, NULL, 0);
  {
    const char *header[] = { "top_by", "batch_id", "name", "actual_cost_usd", "leads_processed", "failed_leads", "failure_rate_percent" };
    GListStore *lists[] = { self->top_by_cost, self->top_by_failure };
    const char *by[] = { "cost", "failure_rate" };

    brm_csv_append_record (out, header, G_N_ELEMENTS (header));
    for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (lists[l])); i++)
        {
          g_autoptr(BrBatch) batch = g_list_model_get_item (G_LIST_MODEL (lists[l]), i);
          g_autofree char *cost = brm_csv_format_number (br_batch_get_actual_cost_usd (batch), -1);
          g_autofree char *done = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                   br_batch_get_successful_leads (batch) + br_batch_get_failed_leads (batch));
          g_autofree char *failed = g_strdup_printf ("%" G_GINT64_FORMAT, br_batch_get_failed_leads (batch));
          g_autofree char *rate = brm_csv_format_number (100.0 * batch_failure_rate (batch), -1);
          const char *f[] = { by[l], br_batch_get_id (batch), br_batch_get_name (batch), cost, done, failed, rate };

          brm_csv_append_record (out, f, G_N_ELEMENTS (f));
        }
  }

  brm_csv_append_record (out, NULL, 0);
  {
    const char *header[] = { "anomaly_subject", "batch_id", "metric", "value", "median_30_days", "mads_from_median", "sentence" };

    brm_csv_append_record (out, header, G_N_ELEMENTS (header));
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->anomalies)); i++)
      {
        g_autoptr(BrmAnomaly) a = g_list_model_get_item (G_LIST_MODEL (self->anomalies), i);
        g_autofree char *value = brm_csv_format_number (brm_anomaly_get_value (a), -1);
        g_autofree char *median = brm_csv_format_number (brm_anomaly_get_median (a), -1);
        g_autofree char *score = brm_csv_format_number (brm_anomaly_get_score (a), 2);
        const char *f[] = {
          brm_anomaly_get_subject (a), brm_anomaly_get_batch_id (a),
          brm_anomaly_get_metric (a) == BRM_ANOMALY_FAILURE_RATE ? "failure_rate" : "cost_per_lead_usd",
          value, median, score, brm_anomaly_get_sentence (a),
        };

        brm_csv_append_record (out, f, G_N_ELEMENTS (f));
      }
  }

  return g_string_free (out, FALSE);
}

static void
write_close_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
write_all_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_output_stream_close_async (G_OUTPUT_STREAM (object), G_PRIORITY_DEFAULT,
                               g_task_get_cancellable (task), write_close_cb, g_object_ref (task));
}

/**
 * brm_analytics_model_write_csv_async:
 * @stream: where to write; it is closed when done
 *
 * Writes brm_analytics_model_dup_csv() to @stream without blocking. The
 * text is taken when the call is made, so a refresh meanwhile does not mix
 * two views.
 */
void
brm_analytics_model_write_csv_async (BrmAnalyticsModel   *self,
                                     GOutputStream       *stream,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  char *text;

  g_return_if_fail (BRM_IS_ANALYTICS_MODEL (self));
  g_return_if_fail (G_IS_OUTPUT_STREAM (stream));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, brm_analytics_model_write_csv_async);
  text = brm_analytics_model_dup_csv (self);
  g_task_set_task_data (task, text, g_free);
  g_output_stream_write_all_async (stream, text, strlen (text), G_PRIORITY_DEFAULT, cancellable,
                                   write_all_cb, g_steal_pointer (&task));
}

gboolean
brm_analytics_model_write_csv_finish (BrmAnalyticsModel  *self,
                                      GAsyncResult       *result,
                                      GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* GObject ------------------------------------------------------------------ */

static void
brm_analytics_model_dispose (GObject *object)
{
  BrmAnalyticsModel *self = BRM_ANALYTICS_MODEL (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->connection);
  g_clear_object (&self->analytics);

  G_OBJECT_CLASS (brm_analytics_model_parent_class)->dispose (object);
}

static void
brm_analytics_model_finalize (GObject *object)
{
  BrmAnalyticsModel *self = BRM_ANALYTICS_MODEL (object);

  g_clear_pointer (&self->days, g_array_unref);
  g_clear_pointer (&self->error_message, g_free);
  g_clear_object (&self->status_series);
  for (guint i = 0; i < BRM_ANALYTICS_N_SERIES; i++)
    g_clear_object (&self->series[i]);
  g_clear_object (&self->error_breakdown);
  g_clear_object (&self->top_by_cost);
  g_clear_object (&self->top_by_failure);
  g_clear_object (&self->anomalies);

  G_OBJECT_CLASS (brm_analytics_model_parent_class)->finalize (object);
}

static void
brm_analytics_model_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  BrmAnalyticsModel *self = BRM_ANALYTICS_MODEL (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_PERIOD_DAYS:
      g_value_set_uint (value, self->period_days);
      break;
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_analytics_model_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BrmAnalyticsModel *self = BRM_ANALYTICS_MODEL (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      brm_analytics_model_set_connection (self, g_value_get_object (value));
      break;
    case PROP_PERIOD_DAYS:
      brm_analytics_model_set_period_days (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_analytics_model_class_init (BrmAnalyticsModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = brm_analytics_model_dispose;
  object_class->finalize = brm_analytics_model_finalize;
  object_class->get_property = brm_analytics_model_get_property;
  object_class->set_property = brm_analytics_model_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, BRM_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PERIOD_DAYS] =
    g_param_spec_uint ("period-days", NULL, NULL, 1, 90, 7,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* BrmAnalyticsState; an int so it needs no registered enum type. */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, BRM_ANALYTICS_STATE_IDLE, BRM_ANALYTICS_STATE_ERROR,
                      BRM_ANALYTICS_STATE_IDLE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BrmAnalyticsModel::changed:
   *
   * New data is in: every series and list was rebuilt.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
brm_analytics_model_init (BrmAnalyticsModel *self)
{
  self->period_days = 7;
  self->days = g_array_new (FALSE, TRUE, sizeof (Day));
  g_array_set_clear_func (self->days, day_clear);
  self->status_series = g_list_store_new (BRM_TYPE_CHART_SERIES);
  for (guint s = 0; s < G_N_ELEMENTS (status_series); s++)
    {
      g_autoptr(BrmChartSeries) series = brm_chart_series_new (status_series[s].id, _(status_series[s].label));

      g_list_store_append (self->status_series, series);
    }
  {
    g_autoptr(BrmChartSeries) rest = brm_chart_series_new ("not-loaded", _("Not loaded in the monitor"));

    g_list_store_append (self->status_series, rest);
  }
  for (guint i = 0; i < BRM_ANALYTICS_N_SERIES; i++)
    self->series[i] = brm_chart_series_new (series_info[i].id, _(series_info[i].label));
  self->error_breakdown = g_list_store_new (BRM_TYPE_ERROR_ROW);
  self->top_by_cost = g_list_store_new (BR_TYPE_BATCH);
  self->top_by_failure = g_list_store_new (BR_TYPE_BATCH);
  self->anomalies = g_list_store_new (BRM_TYPE_ANOMALY);
}

BrmAnalyticsModel *
brm_analytics_model_new (BrmConnection *connection)
{
  g_return_val_if_fail (connection == NULL || BRM_IS_CONNECTION (connection), NULL);

  return g_object_new (BRM_TYPE_ANALYTICS_MODEL, "connection", connection, NULL);
}

BrmConnection *
brm_analytics_model_get_connection (BrmAnalyticsModel *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_MODEL (self), NULL);
  return self->connection;
}

void
brm_analytics_model_set_connection (BrmAnalyticsModel *self,
                                    BrmConnection     *connection)
{
  g_return_if_fail (BRM_IS_ANALYTICS_MODEL (self));
  g_return_if_fail (connection == NULL || BRM_IS_CONNECTION (connection));

  if (!g_set_object (&self->connection, connection))
    return;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  set_state (self, BRM_ANALYTICS_STATE_IDLE, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

guint
brm_analytics_model_get_period_days (BrmAnalyticsModel *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_MODEL (self), 0);
  return self->period_days;
}

/**
 * brm_analytics_model_set_period_days:
 * @days: 1 … 90 (the page offers 7, 30 and 90)
 *
 * Changes the period and, when data was asked for before, fetches it again.
 */
void
brm_analytics_model_set_period_days (BrmAnalyticsModel *self,
                                     guint              days)
{
  g_return_if_fail (BRM_IS_ANALYTICS_MODEL (self));
  g_return_if_fail (days >= 1 && days <= 90);

  if (self->period_days == days)
    return;
  self->period_days = days;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERIOD_DAYS]);
  if (self->state != BRM_ANALYTICS_STATE_IDLE)
    brm_analytics_model_refresh (self);
}

BrmAnalyticsState
brm_analytics_model_get_state (BrmAnalyticsModel *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_MODEL (self), BRM_ANALYTICS_STATE_IDLE);
  return self->state;
}

const char *
brm_analytics_model_get_error_message (BrmAnalyticsModel *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_MODEL (self), NULL);
  return self->error_message;
}

/* How many refreshes have completed (tests wait on it). */
guint
brm_analytics_model_get_n_refreshes (BrmAnalyticsModel *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_MODEL (self), 0);
  return self->n_refreshes;
}

BrAnalytics *
brm_analytics_model_get_analytics (BrmAnalyticsModel *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_MODEL (self), NULL);
  return self->analytics;
}

/* Whether the service sends the daily rows (our service does; the FastAPI
 * one has totals only). */
gboolean
brm_analytics_model_get_has_daily (BrmAnalyticsModel *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_MODEL (self), FALSE);
  return self->days->len > 0;
}

guint
brm_analytics_model_get_n_days (BrmAnalyticsModel *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_MODEL (self), 0);
  return self->days->len;
}

const char *
brm_analytics_model_get_day_date (BrmAnalyticsModel *self,
                                  guint              day)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_MODEL (self), NULL);
  g_return_val_if_fail (day < self->days->len, NULL);
  return g_array_index (self->days, Day, day).date;
}

double
brm_analytics_model_get_daily_budget (BrmAnalyticsModel *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_MODEL (self), 0);
  return self->daily_budget;
}

GListModel *
brm_analytics_model_get_status_series (BrmAnalyticsModel *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_MODEL (self), NULL);
  return G_LIST_MODEL (self->status_series);
}

BrmChartSeries *
brm_analytics_model_get_series (BrmAnalyticsModel      *self,
                                BrmAnalyticsSeriesKind  kind)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_MODEL (self), NULL);
  g_return_val_if_fail (kind < BRM_ANALYTICS_N_SERIES, NULL);
  return self->series[kind];
}

GListModel *
brm_analytics_model_get_error_breakdown (BrmAnalyticsModel *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_MODEL (self), NULL);
  return G_LIST_MODEL (self->error_breakdown);
}

GListModel *
brm_analytics_model_get_top_by_cost (BrmAnalyticsModel *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_MODEL (self), NULL);
  return G_LIST_MODEL (self->top_by_cost);
}

GListModel *
brm_analytics_model_get_top_by_failure_rate (BrmAnalyticsModel *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_MODEL (self), NULL);
  return G_LIST_MODEL (self->top_by_failure);
}

GListModel *
brm_analytics_model_get_anomalies (BrmAnalyticsModel *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_MODEL (self), NULL);
  return G_LIST_MODEL (self->anomalies);
}
