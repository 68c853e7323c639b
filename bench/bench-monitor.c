/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-monitor"

#include "config.h"

#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <adwaita.h>

#include "batchrunner.h"
#include "br-live-feed-private.h"
#include "brm-batch-table.h"
#include "bench-common.h"

/* The monitor's figures (issue 5, DESIGN.md "Performance targets") with
 * the real batch table (BrmBatchTable) over a real BrBatchStore, fed
 * through BrLiveFeed's message decoder with generated batches, under
 * Broadway:
 *
 *   startup [N]          start → first frame with N batches (10,000)
 *   sort-filter [N]      sort by every column and filter, N batches
 *                        (100,000); RSS with them on screen
 *   memory [N]           RSS with N batches (100,000) on screen
 *   live [N] [SECONDS]   N running batches (1,000) each updated 10×/s
 *                        for SECONDS (10): our work per frame and the
 *                        main loop's CPU
 *
 * Without a phase it runs each in a fresh process of its own (so start-up
 * is timed from exec and RSS is not inflated by an earlier phase): three
 * start-ups, sort-filter, memory and live, all with G_SLICE=always-malloc
 * (what the monitor gets: it re-executes itself with it). Run it under a
 * Broadway display, as bench/run.sh does:
 *   tests/ui/run-broadway.sh _build/dev/bench/bench-monitor
 *
 * Messages reach the feed as the socket hands them over
 * (_br_live_feed_receive_text): decoded in the feed's thread, applied on
 * the main thread.
 *
 * Broadway without a browser paces frames about a second apart, so this
 * program measures frames itself. At start-up the window is presented
 * while the snapshot decodes; its first frame (empty) is not paced, but
 * the next one is, so the frame with the rows is done by the program:
 * measure, allocate and snapshot the table, plus the GSK paint + render
 * time of the real frame that follows. For live updates it drives frames
 * at 60 Hz, at the frame clock's priority, doing what a frame does with
 * our widgets: flush the store with BrmBatchTable's budget (DESIGN.md:
 * updates are applied once per frame), measure and allocate the table,
 * and snapshot it into render nodes; after a sort or a filter it does the
 * last two once. What it leaves out is GSK turning the nodes into pixels
 * for the display, which is GTK's and the backend's work; the real
 * frames that Broadway lets through are timed too and reported apart. */

#define N_STARTUP_RUNS      3
#define FRAME_INTERVAL_MS   16
#define UPDATE_HZ           10
#define FRAME_BUDGET_US     16000
#define FLUSH_BUDGET_US     8000    /* as BrmBatchTable's frame tick */
#define WAIT_TIMEOUT_MS     60000
#define CHILD_TIMEOUT_S     300

#define BYTES_PER_MB        1000000.0
#define TARGET_STARTUP_MS   500.0
#define TARGET_SORT_MS      50.0
#define TARGET_RSS_MB       100.0

/* Generated batches ------------------------------------------------------------ */

static const char * const name_words[] = {
  "Q4 outreach", "Trade show follow-up", "Renewals", "EMEA partners",
  "Webinar attendees", "Churn risk", "Enterprise upsell", "Cold list",
};
static const char * const operators[] = {
  "operator", "ana", "bram", "chen", "dara", "emil", "farah", "goran",
  "hana", "ivo", "jules", "kofi", "lena", "mateo", "nia", "oskar",
};
static const char * const templates[] = { "v1", "v2", "v3", "v4", "v5" };

typedef struct
{
  guint       index;
  const char *status;
  guint       name_word;
  guint       wave;
  guint       operator;
  guint       template;
  gint64      total;
  gint64      processed;
  gint64      failed;
  double      cost_per_lead;
  double      rate;
  gint64      created_at;    /* unix seconds */
  gint64      started_at;    /* 0: not started */
  gint64      completed_at;  /* 0: not ended */
} FakeBatch;

/* A mix like a busy server's history: mostly finished batches, a few
 * hundred in flight per ten thousand. With @running every batch runs and
 * has room for hours of progress. */
static void
fake_batch_init (FakeBatch *b,
                 GRand     *rand,
                 guint      index,
                 gint64     now_s,
                 gboolean   running)
{
  double r = running ? 0.85 : g_rand_double (rand);

  b->index = index;
  b->status = r < 0.70 ? "completed" : r < 0.78 ? "failed" : r < 0.82 ? "cancelled"
            : r < 0.90 ? "running" : r < 0.96 ? "pending" : "paused";
  b->name_word = g_rand_int_range (rand, 0, G_N_ELEMENTS (name_words));
  b->wave = g_rand_int_range (rand, 1, 5001);
  b->operator = g_rand_int_range (rand, 0, G_N_ELEMENTS (operators));
  b->template = g_rand_int_range (rand, 0, G_N_ELEMENTS (templates));
  b->total = running ? 100000 : g_rand_int_range (rand, 10, 5001);
  b->cost_per_lead = g_rand_double_range (rand, 0.05, 0.60);
  b->created_at = now_s - g_rand_int_range (rand, 60, 90 * 86400);
  b->started_at = 0;
  b->completed_at = 0;
  b->rate = 0;

  if (g_str_equal (b->status, "pending"))
    b->processed = 0;
  else if (g_str_equal (b->status, "completed"))
    b->processed = b->total;
  else
    b->processed = g_rand_int_range (rand, 0, (gint32) b->total / 2 + 1);
  b->failed = b->processed / g_rand_int_range (rand, 8, 200);

  if (!g_str_equal (b->status, "pending"))
    b->started_at = b->created_at + g_rand_int_range (rand, 1, 3600);
  if (g_str_equal (b->status, "running"))
    b->rate = g_rand_double_range (rand, 0.5, 20.0);
  if (g_str_equal (b->status, "completed") || g_str_equal (b->status, "failed") ||
      g_str_equal (b->status, "cancelled"))
    b->completed_at = MIN (now_s, b->started_at + 1 + (gint64) (b->processed / g_rand_double_range (rand, 0.5, 20.0)));
}

static void
append_time (GString *out,
             gint64   unix_s)
{
  struct tm tm;
  time_t t = (time_t) unix_s;
  char buf[40];

  if (unix_s <= 0 || gmtime_r (&t, &tm) == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  strftime (buf, sizeof buf, "\"%Y-%m-%dT%H:%M:%S.000Z\"", &tm);
  g_string_append (out, buf);
}

/* The server's wire form of a batch (API.md "Batch"). */
static void
append_batch_json (GString         *out,
                   const FakeBatch *b,
                   gint64           seq,
                   gint64           updated_at_s)
{
  gint64 remaining = b->total - b->processed;
  char num[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (out,
                          "{\"id\":\"%08x-1d2c-4b8e-9a51-%012u\",\"name\":\"%s wave %u\","
                          "\"description\":\"Generated by bench-monitor\",\"status\":\"%s\","
                          "\"total_leads\":%" G_GINT64_FORMAT ",\"processed_leads\":%" G_GINT64_FORMAT ","
                          "\"successful_leads\":%" G_GINT64_FORMAT ",\"failed_leads\":%" G_GINT64_FORMAT ","
                          "\"skipped_leads\":0,",
                          b->index, b->index, name_words[b->name_word], b->wave, b->status,
                          b->total, b->processed, b->processed - b->failed, b->failed);
  g_string_append_printf (out, "\"progress_percentage\":%s,",
                          g_ascii_formatd (num, sizeof num, "%.1f", 100.0 * b->processed / b->total));
  g_string_append_printf (out, "\"estimated_cost_usd\":%s,",
                          g_ascii_formatd (num, sizeof num, "%.4f", b->total * b->cost_per_lead * 1.02));
  g_string_append_printf (out, "\"actual_cost_usd\":%s,",
                          g_ascii_formatd (num, sizeof num, "%.4f", b->processed * b->cost_per_lead));
  g_string_append_printf (out, "\"processing_rate_per_second\":%s,",
                          g_ascii_formatd (num, sizeof num, "%.2f", b->rate));
  if (b->rate > 0)
    g_string_append_printf (out, "\"estimated_remaining_seconds\":%" G_GINT64_FORMAT ",",
                            (gint64) (remaining / b->rate));
  else
    g_string_append (out, "\"estimated_remaining_seconds\":null,");
  g_string_append_printf (out,
                          "\"template_version\":\"%s\",\"websocket_url\":\"/api/v1/batch/%08x/progress\","
                          "\"created_by\":\"%s\",\"max_concurrent\":5,\"retry_failed\":true,\"retry_count\":3,"
                          "\"current_lead_id\":null,\"seq\":%" G_GINT64_FORMAT ",",
                          templates[b->template], b->index, operators[b->operator], seq);
  if (g_str_equal (b->status, "failed"))
    g_string_append (out, "\"error_message\":\"Too many failed leads (PROVIDER_TIMEOUT)\",");
  else
    g_string_append (out, "\"error_message\":null,");
  g_string_append (out, "\"created_at\":");
  append_time (out, b->created_at);
  g_string_append (out, ",\"started_at\":");
  append_time (out, b->started_at);
  g_string_append (out, ",\"completed_at\":");
  append_time (out, b->completed_at);
  g_string_append (out, ",\"updated_at\":");
  append_time (out, updated_at_s);
  g_string_append_c (out, '}');
}

/* The /events snapshot message holding @n batches. */
static GString *
snapshot_text (FakeBatch *batches,
               guint      n)
{
  GString *text = g_string_sized_new ((gsize) n * 1100 + 64);
  gint64 now_s = g_get_real_time () / G_USEC_PER_SEC;

  g_string_append (text, "{\"type\":\"snapshot\",\"seq\":1,\"batches\":[");
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (text, ',');
      append_batch_json (text, &batches[i], 1, now_s);
    }
  g_string_append (text, "]}");
  return text;
}

/* Process figures ------------------------------------------------------------- */

static gsize
status_kib (const char *key)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, key)) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen (key), NULL, 10);
}

static double
kib_to_mb (gsize kib)
{
  return kib * 1024.0 / BYTES_PER_MB;
}

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static gint64
process_cpu_us (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ((gint64) ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * G_USEC_PER_SEC +
         ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/* The monotonic time at which this process was started: the parent's
 * clock reading just before it spawned us when it passed one (the
 * monotonic clock is the same for every process), else the kernel's
 * start time of the process (10 ms resolution). */
static gint64
process_start_us (void)
{
  const char *env = g_getenv ("BENCH_MONITOR_SPAWN_US");
  g_autofree char *stat = NULL;
  unsigned long long start_ticks = 0;
  const char *close_paren;
  struct timespec boot, mono;

  if (env != NULL)
    return g_ascii_strtoll (env, NULL, 10);

  if (!g_file_get_contents ("/proc/self/stat", &stat, NULL, NULL) ||
      (close_paren = strrchr (stat, ')')) == NULL ||
      sscanf (close_paren + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
              &start_ticks) != 1)
    return g_get_monotonic_time ();

  /* starttime counts from boot; convert it to the monotonic clock. */
  clock_gettime (CLOCK_BOOTTIME, &boot);
  clock_gettime (CLOCK_MONOTONIC, &mono);
  return ((gint64) mono.tv_sec * G_USEC_PER_SEC + mono.tv_nsec / 1000) -
         (((gint64) boot.tv_sec * G_USEC_PER_SEC + boot.tv_nsec / 1000) -
          (gint64) (start_ticks * G_USEC_PER_SEC / sysconf (_SC_CLK_TCK)));
}

/* The window, the table and the store ------------------------------------------ */

typedef struct
{
  SoupSession  *session;
  BrBatchStore *store;
  BrLiveFeed   *feed;
  GtkWidget    *window;
  GtkWidget    *table;
  GtkWidget    *column_view;
  gint64        set_model_us;     /* brm_batch_table_set_model () alone */

  /* Real frames, from the window's frame clock. */
  guint         n_frames;
  gint64        first_frame_us;
  gint64        before_paint_us;
  gint64        layout_done_us;
  gboolean      record_frames;
  GArray       *real_layout_us;   /* gint64 */
  GArray       *real_paint_us;    /* gint64 */
} Harness;

static void
on_before_paint (GdkFrameClock *clock,
                 Harness       *h)
{
  h->before_paint_us = g_get_monotonic_time ();
}

/* Connected after GDK's own handlers, so these run once GTK's layout and
 * paint of the frame are done. */
static void
on_layout (GdkFrameClock *clock,
           Harness       *h)
{
  h->layout_done_us = g_get_monotonic_time ();
}

static void
on_paint (GdkFrameClock *clock,
          Harness       *h)
{
  gint64 now = g_get_monotonic_time ();

  if (h->record_frames && h->before_paint_us > 0 && h->layout_done_us >= h->before_paint_us)
    {
      gint64 layout = h->layout_done_us - h->before_paint_us;
      gint64 paint = now - h->layout_done_us;

      g_array_append_val (h->real_layout_us, layout);
      g_array_append_val (h->real_paint_us, paint);
    }
}

static void
on_after_paint (GdkFrameClock *clock,
                Harness       *h)
{
  if (h->n_frames++ == 0)
    h->first_frame_us = g_get_monotonic_time ();
}

static void
on_window_realize (GtkWidget *window,
                   Harness   *h)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), h);
  g_signal_connect (clock, "layout", G_CALLBACK (on_layout), h);
  g_signal_connect (clock, "paint", G_CALLBACK (on_paint), h);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), h);
}

static GtkWidget *
find_descendant (GtkWidget *root,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Rows the column view has built, or only those it shows: GTK 4.8 makes
 * each row a GtkListItemWidget (its cells are a subclass, hence the exact
 * name). */
static guint
count_rows (GtkWidget *root,
            gboolean   mapped_only)
{
  guint n = 0;

  if (mapped_only && !gtk_widget_get_mapped (root))
    return 0;
  if (g_str_equal (G_OBJECT_TYPE_NAME (root), "GtkListItemWidget"))
    return 1;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    n += count_rows (child, mapped_only);
  return n;
}

/* Work the models between the store and the column view still have to
 * do: sort and filter models report it as "pending" when they work
 * incrementally. */
static guint
models_pending (Harness *h)
{
  g_autoptr(GListModel) model = NULL;
  guint pending = 0;

  model = G_LIST_MODEL (g_object_ref (gtk_column_view_get_model (GTK_COLUMN_VIEW (h->column_view))));
  while (model != NULL)
    {
      GObjectClass *klass = G_OBJECT_GET_CLASS (model);
      GParamSpec *pending_spec = g_object_class_find_property (klass, "pending");
      GParamSpec *model_spec = g_object_class_find_property (klass, "model");
      GListModel *next = NULL;

      if (pending_spec != NULL && pending_spec->value_type == G_TYPE_UINT)
        {
          guint n = 0;

          g_object_get (model, "pending", &n, NULL);
          pending += n;
        }
      if (model_spec != NULL && g_type_is_a (model_spec->value_type, G_TYPE_LIST_MODEL))
        g_object_get (model, "model", &next, NULL);
      g_clear_object (&model);
      model = next;
    }
  return pending;
}

static gboolean
flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
has_frame (gpointer data)
{
  return ((Harness *) data)->n_frames > 0;
}

/* Iterates the main context until @done, or gives up. */
static void
wait_for (gboolean  (*done) (gpointer),
          gpointer    data,
          const char *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (WAIT_TIMEOUT_MS, flag_cb, &timed_out);

  while (!done (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    {
      g_printerr ("bench-monitor: gave up waiting for %s after %d ms\n", what, WAIT_TIMEOUT_MS);
      exit (EXIT_FAILURE);
    }
  g_source_remove (id);
}

static void
harness_init (Harness *h)
{
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  memset (h, 0, sizeof *h);
  h->real_layout_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  h->real_paint_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  h->session = soup_session_new ();
  h->store = br_batch_store_new ();
  /* The feed is never started: its decoder is fed here, as the socket
   * would feed it. */
  h->feed = br_live_feed_new (h->session, "http://127.0.0.1:1", "/api/v1", h->store);

  /* As BrmApplication's startup does. */
  gtk_css_provider_load_from_resource (css, RESOURCE_PREFIX "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

/* Lets the main loop run what it has left at the lowest priority, as it
 * would once the operator looks at the table: the store's one-off
 * malloc_trim () after a large snapshot runs at G_PRIORITY_LOW. */
static void
settle_idle (void)
{
  gboolean done = FALSE;

  g_idle_add_full (G_PRIORITY_LOW + 1, flag_cb, &done, NULL);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Hands a message to the feed as its socket does: it is decoded in the
 * feed's thread and applied on this one. Takes @text. */
static void
harness_receive (Harness *h,
                 GString *text)
{
  g_autoptr(GBytes) bytes = g_string_free_to_bytes (text);

  _br_live_feed_receive_text (h->feed, bytes);
}

typedef struct
{
  Harness *h;
  guint    n;
} Filled;

static gboolean
store_filled (gpointer data)
{
  Filled *f = data;

  return g_list_model_get_n_items (G_LIST_MODEL (f->h->store)) == f->n;
}

/* Receives a snapshot of @n batches and waits until it is applied. */
static void
harness_load (Harness *h,
              GString *text,
              guint    n)
{
  Filled f = { h, n };

  harness_receive (h, text);
  wait_for (store_filled, &f, "the snapshot");
}

/* The main window's size on the target screen; undecorated so that the
 * table is the window's only child at its origin. */
static void
harness_show (Harness *h)
{
  h->window = gtk_window_new ();
  g_object_ref_sink (h->window);
  gtk_window_set_decorated (GTK_WINDOW (h->window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (h->window), 1920, 1080);
  g_signal_connect (h->window, "realize", G_CALLBACK (on_window_realize), h);

  h->table = brm_batch_table_new ();
  h->set_model_us = g_get_monotonic_time ();
  brm_batch_table_set_model (BRM_BATCH_TABLE (h->table), G_LIST_MODEL (h->store));
  h->set_model_us = g_get_monotonic_time () - h->set_model_us;
  gtk_window_set_child (GTK_WINDOW (h->window), h->table);
  h->column_view = find_descendant (h->table, GTK_TYPE_COLUMN_VIEW);
  g_assert (h->column_view != NULL);

  gtk_window_present (GTK_WINDOW (h->window));
}

static void
harness_clear (Harness *h)
{
  if (h->window != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (h->window));
      g_clear_object (&h->window);
    }
  g_clear_object (&h->feed);
  g_clear_object (&h->store);
  g_clear_object (&h->session);
  g_clear_pointer (&h->real_layout_us, g_array_unref);
  g_clear_pointer (&h->real_paint_us, g_array_unref);
}

/* What GtkWindow's layout does for its child, done now: measure, then
 * allocate the table where it already is. Returns the time taken. */
static gint64
force_layout (Harness *h)
{
  gint64 t0 = g_get_monotonic_time ();
  GtkAllocation alloc;

  gtk_widget_get_allocation (h->table, &alloc);
  gtk_widget_measure (h->table, GTK_ORIENTATION_HORIZONTAL, -1, NULL, NULL, NULL, NULL);
  gtk_widget_measure (h->table, GTK_ORIENTATION_VERTICAL, alloc.width, NULL, NULL, NULL, NULL);
  gtk_widget_size_allocate (h->table, &alloc, -1);
  return g_get_monotonic_time () - t0;
}

/* What GtkWindow's snapshot does for its child: the table's render nodes
 * (rows whose content changed are snapshotted again, the rest reused). */
static gint64
force_snapshot (Harness *h)
{
  gint64 t0 = g_get_monotonic_time ();
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;

  gtk_widget_snapshot_child (h->window, h->table, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  g_clear_pointer (&node, gsk_render_node_unref);
  return g_get_monotonic_time () - t0;
}

static GArray *
fake_batches (guint    n,
              gboolean running)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261123);
  GArray *batches = g_array_sized_new (FALSE, FALSE, sizeof (FakeBatch), n);
  gint64 now_s = g_get_real_time () / G_USEC_PER_SEC;

  g_array_set_size (batches, n);
  for (guint i = 0; i < n; i++)
    fake_batch_init (&g_array_index (batches, FakeBatch, i), rand, i, now_s, running);
  return batches;
}

static void
print_memory (const char *when,
              guint       n)
{
  gsize rss = status_kib ("VmRSS:");
  gsize hwm = status_kib ("VmHWM:");

  g_print ("bench-monitor: %s, %u batches: RSS %.1f MB (%.1f MiB), peak RSS %.1f MB; heap in use %.1f MB\n",
           when, n, kib_to_mb (rss), rss / 1024.0, kib_to_mb (hwm), mallinfo2 ().uordblks / BYTES_PER_MB);
}

/* startup: start → first frame ------------------------------------------------- */

static int
phase_startup (guint  n,
               gint64 main_us)
{
  g_autoptr(GArray) batches = NULL;
  g_autoptr(GString) text = NULL;
  Harness h;
  gint64 spawn_us = process_start_us ();
  gint64 gen_done_us, init_us, load_us, shown_us, frame_us, render_us;
  double total_ms;
  guint rows;

  /* Generating the server's message is the bench's work, not the
   * monitor's: do it first and leave its time out. */
  batches = fake_batches (n, FALSE);
  text = snapshot_text ((FakeBatch *) batches->data, n);
  g_clear_pointer (&batches, g_array_unref);
  gen_done_us = g_get_monotonic_time ();

  if (!gtk_init_check ())
    {
      g_printerr ("bench-monitor: no display; run it under tests/ui/run-broadway.sh\n");
      return 2;
    }
  adw_init ();
  harness_init (&h);
  init_us = g_get_monotonic_time ();

  /* As in the monitor: the snapshot arrives on the socket and is decoded
   * in the feed's thread while the main thread builds and presents the
   * window. What counts is the first frame with the snapshot's rows. */
  harness_receive (&h, g_steal_pointer (&text));
  harness_show (&h);
  shown_us = g_get_monotonic_time ();
  {
    Filled f = { &h, n };

    wait_for (store_filled, &f, "the snapshot");
  }
  load_us = g_get_monotonic_time ();
  /* The window's first frame (empty, unpaced) has usually been drawn by
   * now, and Broadway lets the next one through only about a second
   * later. So the frame with the rows is done here, as the live phase
   * does its frames: measure, allocate and snapshot the table. GSK's
   * rendering of it is timed from the real frame below and added. */
  frame_us = force_layout (&h);
  frame_us += force_snapshot (&h);
  h.record_frames = TRUE;
  h.n_frames = 0;
  wait_for (has_frame, &h, "the first frame with rows");
  h.record_frames = FALSE;
  render_us = h.real_paint_us->len > 0 ? g_array_index (h.real_paint_us, gint64, 0) : 0;

  rows = count_rows (h.column_view, TRUE);
  g_assert_cmpuint (brm_batch_table_get_n_visible (BRM_BATCH_TABLE (h.table)), ==, n);
  if (rows == 0)
    {
      g_printerr ("bench-monitor: the first frame shows no rows\n");
      return 1;
    }

  total_ms = ((main_us - spawn_us) + (load_us - gen_done_us) + frame_us + render_us) / 1000.0;
  g_print ("bench-monitor: start -> first frame with %u batches: %.1f ms "
           "(exec -> main %.1f, GTK + libadwaita init %.1f, window + table %.1f (of which set_model %.1f), "
           "then the snapshot decoded (in the feed's thread, meanwhile) and applied %.1f "
           "(main thread applying it, the table building its rows, %.1f), "
           "the frame: layout + snapshot %.1f, GSK paint + render %.1f ms; "
           "%u rows on screen, %u built; the real Broadway frame came %.1f ms after the snapshot)\n",
           n, total_ms, (main_us - spawn_us) / 1000.0, (init_us - gen_done_us) / 1000.0,
           (shown_us - init_us) / 1000.0, h.set_model_us / 1000.0,
           (load_us - shown_us) / 1000.0, _br_live_feed_get_main_thread_us (h.feed) / 1000.0,
           frame_us / 1000.0, render_us / 1000.0,
           rows, count_rows (h.column_view, FALSE), (h.first_frame_us - load_us) / 1000.0);
  settle_idle ();
  print_memory ("after the first frame, main loop idle", n);
  /* For the parent, which reports the median of its runs. */
  g_print ("STARTUP_MS\t%.3f\n", total_ms);

  harness_clear (&h);
  return 0;
}

/* memory: RSS with the batches on screen ---------------------------------------- */

static const char *
slice_mode (void)
{
  const char *slice = g_getenv ("G_SLICE");

  return slice != NULL && strstr (slice, "always-malloc") != NULL
    ? "G_SLICE=always-malloc" : "GLib 2.74's slice allocator";
}

/* The monitor as it stands with @n batches on screen, once its main loop
 * has been idle (the store trims the heap once after a large snapshot). */
static void
report_memory (guint n)
{
  g_autofree char *metric = NULL;
  gsize rss_kib;

  settle_idle ();
  rss_kib = status_kib ("VmRSS:");
  print_memory ("table on screen", n);
  metric = g_strdup_printf ("RSS with %u batches, table on screen (%s)", n, slice_mode ());
  bench_result ("monitor", metric, "< 100 MB", bench_met (kib_to_mb (rss_kib) < TARGET_RSS_MB),
                "%.1f MB", kib_to_mb (rss_kib));

  /* Whether glibc still keeps free heap that trimming would return. */
  malloc_trim (0);
  g_print ("bench-monitor: after another malloc_trim (0) by the bench: RSS %.1f MB\n", kib_to_mb (status_kib ("VmRSS:")));
}

static int
phase_memory (guint n)
{
  g_autoptr(GArray) batches = NULL;
  g_autoptr(GString) text = NULL;
  Harness h;

  batches = fake_batches (n, FALSE);
  text = snapshot_text ((FakeBatch *) batches->data, n);
  g_clear_pointer (&batches, g_array_unref);

  if (!gtk_init_check ())
    {
      g_printerr ("bench-monitor: no display; run it under tests/ui/run-broadway.sh\n");
      return 2;
    }
  adw_init ();
  harness_init (&h);
  harness_load (&h, g_steal_pointer (&text), n);
  harness_show (&h);
  wait_for (has_frame, &h, "the first frame");
  report_memory (n);
  harness_clear (&h);
  return 0;
}

/* sort-filter ------------------------------------------------------------------ */

static gboolean
models_idle (gpointer data)
{
  return models_pending (data) == 0;
}

/* Time from the call to a settled, laid-out, snapshotted table: what the
 * operator waits for. @sync_us gets the call's own time, which blocks the
 * main loop (the rest, if the models work incrementally, does not);
 * @view_us the layout and snapshot of the rows the result shows. */
static gint64
settle (Harness *h,
        gint64   t0,
        gint64  *sync_us,
        gint64  *view_us)
{
  gint64 t1;

  *sync_us = g_get_monotonic_time () - t0;
  wait_for (models_idle, h, "the sort and filter models");
  t1 = g_get_monotonic_time ();
  force_layout (h);
  force_snapshot (h);
  *view_us = g_get_monotonic_time () - t1;
  return g_get_monotonic_time () - t0;
}

static int
phase_sort_filter (guint n)
{
  g_autoptr(GArray) batches = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GArray) sort_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) filter_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_auto(GStrv) columns = NULL;
  g_autofree char *metric = NULL;
  BrmBatchTable *table;
  Harness h;
  gint64 t0, t1, sync_us, view_us, max_sync_us = 0, worst_sort = 0, worst_filter = 0;
  const char *worst_sort_column = "";
  const char *worst_filter_name = "";
  struct {
    const char *name;
    const char *search;
    int         status;
    const char *template_version;
  } filters[] = {
    { "search \"renewals\" (about 1 in 8)", "renewals", -1, NULL },
    { "search \"wave 42\" (about 1 in 400)", "wave 42", -1, NULL },
    { "clear the search", "", -1, NULL },
    { "status failed", "", BR_BATCH_STATUS_FAILED, NULL },
    { "status running", "", BR_BATCH_STATUS_RUNNING, NULL },
    { "status running + template v3", "", BR_BATCH_STATUS_RUNNING, "v3" },
    { "search \"churn\" + status running + template v3", "churn", BR_BATCH_STATUS_RUNNING, "v3" },
    { "clear every filter", "", -1, "" },
  };

  batches = fake_batches (n, FALSE);
  text = snapshot_text ((FakeBatch *) batches->data, n);
  g_clear_pointer (&batches, g_array_unref);

  if (!gtk_init_check ())
    {
      g_printerr ("bench-monitor: no display; run it under tests/ui/run-broadway.sh\n");
      return 2;
    }
  adw_init ();
  harness_init (&h);

  t0 = g_get_monotonic_time ();
  harness_load (&h, g_steal_pointer (&text), n);
  t1 = g_get_monotonic_time ();
  harness_show (&h);
  wait_for (has_frame, &h, "the first frame");
  g_print ("bench-monitor: %u batches: snapshot decode + apply %.1f ms; first frame %.1f ms after that\n",
           n, (t1 - t0) / 1000.0, (h.first_frame_us - t1) / 1000.0);

  report_memory (n);

  table = BRM_BATCH_TABLE (h.table);
  columns = brm_batch_table_dup_column_order (table);
  g_assert (columns != NULL && columns[0] != NULL);

  bench_measure_begin ("sort and filter");
  for (guint i = 0; columns[i] != NULL; i++)
    {
      for (guint d = 0; d < 2; d++)
        {
          gint64 us;

          t0 = g_get_monotonic_time ();
          brm_batch_table_sort_by (table, columns[i], d == 1);
          us = settle (&h, t0, &sync_us, &view_us);
          g_array_append_val (sort_us, us);
          max_sync_us = MAX (max_sync_us, sync_us);
          g_print ("  sort by %-16s %-10s %8.1f ms (the call %.1f; rows laid out and drawn %.1f)\n",
                   columns[i], d ? "descending" : "ascending", us / 1000.0, sync_us / 1000.0, view_us / 1000.0);
          if (us > worst_sort)
            {
              worst_sort = us;
              worst_sort_column = columns[i];
            }
        }
    }
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, n);

  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    {
      gint64 us;

      t0 = g_get_monotonic_time ();
      brm_batch_table_set_search_text (table, filters[i].search);
      brm_batch_table_set_status_filter (table, filters[i].status);
      if (filters[i].template_version != NULL)
        brm_batch_table_set_template_filter (table, filters[i].template_version);
      us = settle (&h, t0, &sync_us, &view_us);
      g_array_append_val (filter_us, us);
      max_sync_us = MAX (max_sync_us, sync_us);
      g_print ("  filter: %-46s %8.1f ms (the call %.1f; rows laid out and drawn %.1f), %u rows\n",
               filters[i].name, us / 1000.0, sync_us / 1000.0, view_us / 1000.0,
               brm_batch_table_get_n_visible (table));
      if (us > worst_filter)
        {
          worst_filter = us;
          worst_filter_name = filters[i].name;
        }
    }
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, n);
  bench_measure_end ();

  bench_stats_print ("sort (every column, both ways)", sort_us);
  bench_stats_print ("filter", filter_us);
  g_print ("  longest time the main loop was blocked by one call: %.1f ms\n", max_sync_us / 1000.0);
  print_memory ("after sorting and filtering", n);

  metric = g_strdup_printf ("sort %u batches, slowest column (%s)", n, worst_sort_column);
  bench_result ("monitor", metric, "< 50 ms", bench_met (worst_sort / 1000.0 < TARGET_SORT_MS),
                "%.1f ms", worst_sort / 1000.0);
  g_clear_pointer (&metric, g_free);
  metric = g_strdup_printf ("filter %u batches, slowest (%s)", n, worst_filter_name);
  bench_result ("monitor", metric, "< 50 ms", bench_met (worst_filter / 1000.0 < TARGET_SORT_MS),
                "%.1f ms", worst_filter / 1000.0);
  g_clear_pointer (&metric, g_free);

  harness_clear (&h);
  return 0;
}

/* live: N running batches updated 10×/s ------------------------------------------ */

typedef struct
{
  Harness   *h;
  GPtrArray *events;          /* batch_updated messages, in order */
  guint      per_round;
  guint      released;        /* messages the "server" has sent so far */
  guint      next;            /* next message to decode */
  guint      feed_source;
  gint64     round_start_us;
  gint64     round_decode_us;
  gint64     last_frame_us;

  GArray    *decode_us;       /* per message */
  GArray    *burst_us;        /* per round: release → last message decoded */
  GArray    *flush_us;        /* per frame */
  GArray    *layout_us;
  GArray    *snapshot_us;
  GArray    *frame_us;        /* flush + layout + snapshot */
  GArray    *frame_cpu_us;    /* the same, the main thread's CPU time only */
  GArray    *gap_us;          /* start to start of consecutive frames */
  gint64     decode_total_us;
  gint64     flush_total_us;
  gint64     layout_total_us;
  gint64     snapshot_total_us;
  guint      n_frames_over;
  guint      n_frames_over_cpu;
} Live;

/* One message per dispatch at the default priority, as libsoup hands the
 * WebSocket's messages over: a burst starves the frame clock (a lower
 * priority) until it is decoded, as it would in the monitor. */
static gboolean
decode_one_cb (gpointer data)
{
  Live *l = data;
  const char *text;
  gint64 t0, us;

  if (l->next >= l->released)
    {
      l->feed_source = 0;
      return G_SOURCE_REMOVE;
    }

  text = g_ptr_array_index (l->events, l->next++);
  t0 = g_get_monotonic_time ();
  {
    /* libsoup hands the socket's messages over as GBytes. */
    g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

    _br_live_feed_receive_text (l->h->feed, bytes);
  }
  us = g_get_monotonic_time () - t0;
  g_array_append_val (l->decode_us, us);
  l->decode_total_us += us;

  if (l->next == l->released)
    {
      gint64 burst = g_get_monotonic_time () - l->round_start_us;

      g_array_append_val (l->burst_us, burst);
      l->feed_source = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* The server's coalescing tick: every running batch changed. */
static gboolean
round_cb (gpointer data)
{
  Live *l = data;

  if (l->released >= l->events->len)
    return G_SOURCE_CONTINUE;
  l->released = MIN (l->released + l->per_round, l->events->len);
  l->round_start_us = g_get_monotonic_time ();
  if (l->feed_source == 0)
    l->feed_source = g_idle_add_full (G_PRIORITY_DEFAULT, decode_one_cb, l, NULL);
  return G_SOURCE_CONTINUE;
}

/* Our part of a frame: apply what arrived since the last one, lay the
 * table out, snapshot it. */
static gboolean
frame_cb (gpointer data)
{
  Live *l = data;
  gint64 c0 = thread_cpu_us ();
  gint64 t0 = g_get_monotonic_time ();
  gint64 t1, t2, t3, flush, layout, snap, total, cpu;

  if (l->last_frame_us > 0)
    {
      gint64 gap = t0 - l->last_frame_us;

      g_array_append_val (l->gap_us, gap);
    }
  l->last_frame_us = t0;

  /* As the table's tick callback does on each frame: at most 8 ms of
   * updates, the rest of a burst in the next frames. */
  br_batch_store_flush_budget (l->h->store, FLUSH_BUDGET_US);
  t1 = g_get_monotonic_time ();
  force_layout (l->h);
  t2 = g_get_monotonic_time ();
  force_snapshot (l->h);
  t3 = g_get_monotonic_time ();
  /* On a busy machine the wall time includes waiting for a core; the
   * thread's CPU time is what our code cost. */
  cpu = thread_cpu_us () - c0;
  g_array_append_val (l->frame_cpu_us, cpu);

  flush = t1 - t0;
  layout = t2 - t1;
  snap = t3 - t2;
  total = t3 - t0;
  g_array_append_val (l->flush_us, flush);
  g_array_append_val (l->layout_us, layout);
  g_array_append_val (l->snapshot_us, snap);
  g_array_append_val (l->frame_us, total);
  l->flush_total_us += flush;
  l->layout_total_us += layout;
  l->snapshot_total_us += snap;
  if (total > FRAME_BUDGET_US)
    l->n_frames_over++;
  if (cpu > FRAME_BUDGET_US)
    l->n_frames_over_cpu++;
  return G_SOURCE_CONTINUE;
}

static gint64
max_of (GArray *samples)
{
  gint64 max = 0;

  for (guint i = 0; i < samples->len; i++)
    max = MAX (max, g_array_index (samples, gint64, i));
  return max;
}

static int
phase_live (guint n,
            guint seconds)
{
  g_autoptr(GArray) batches = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_free);
  guint rounds = seconds * UPDATE_HZ;
  gint64 seq = 1, now_s = g_get_real_time () / G_USEC_PER_SEC;
  gint64 wall0, wall1, cpu0, cpu1, pcpu0, pcpu1, apply0, apply_us, seq0;
  gboolean done = FALSE;
  guint round_id, frame_id, applied;
  Harness h;
  Live l = { 0 };
  g_autofree char *prefix = NULL;
  g_autofree char *metric = NULL;
  BenchStats frame_stats;
  double wall_us, busiest;
  guint expected_frames;
  gboolean starved;
  FakeBatch *b;

  batches = fake_batches (n, TRUE);
  b = (FakeBatch *) batches->data;
  text = snapshot_text (b, n);

  /* Every message of the run, made before it starts so that making them
   * costs nothing while measuring. Each round moves every batch on by
   * rate / 10 leads, with the odd failure. */
  {
    g_autoptr(GRand) rand = g_rand_new_with_seed (7);

    for (guint r = 0; r < rounds; r++)
      for (guint i = 0; i < n; i++)
        {
          GString *msg = g_string_sized_new (1200);
          gint64 step = MAX (1, (gint64) (b[i].rate / UPDATE_HZ + g_rand_double (rand)));

          b[i].processed = MIN (b[i].total, b[i].processed + step);
          if (g_rand_int_range (rand, 0, 50) == 0)
            b[i].failed++;
          g_string_append_printf (msg, "{\"type\":\"batch_updated\",\"seq\":%" G_GINT64_FORMAT ",\"batch\":", ++seq);
          append_batch_json (msg, &b[i], seq, now_s + r / UPDATE_HZ);
          g_string_append_c (msg, '}');
          g_ptr_array_add (events, g_string_free (msg, FALSE));
        }
  }

  if (!gtk_init_check ())
    {
      g_printerr ("bench-monitor: no display; run it under tests/ui/run-broadway.sh\n");
      return 2;
    }
  adw_init ();
  harness_init (&h);
  harness_load (&h, g_steal_pointer (&text), n);
  harness_show (&h);
  wait_for (has_frame, &h, "the first frame");
  g_assert_cmpuint (br_batch_store_get_n_running (h.store), ==, n);

  /* The monitor applies updates once per frame: here, in frame_cb. */
  br_batch_store_set_tick_interval (h.store, 0);

  l.h = &h;
  l.events = events;
  l.per_round = n;
  l.decode_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  l.burst_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  l.flush_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  l.layout_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  l.snapshot_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  l.frame_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  l.frame_cpu_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  l.gap_us = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_print ("bench-monitor: %u running batches, each updated %ux/s (%u batch_updated messages/s) for %u s\n",
           n, UPDATE_HZ, n * UPDATE_HZ, seconds);
  bench_measure_begin ("live updates");
  h.record_frames = TRUE;
  wall0 = g_get_monotonic_time ();
  cpu0 = thread_cpu_us ();
  pcpu0 = process_cpu_us ();
  apply0 = _br_live_feed_get_main_thread_us (h.feed);
  seq0 = br_live_feed_get_last_seq (h.feed);
  round_id = g_timeout_add_full (G_PRIORITY_DEFAULT, 1000 / UPDATE_HZ, round_cb, &l, NULL);
  frame_id = g_timeout_add_full (GDK_PRIORITY_REDRAW, FRAME_INTERVAL_MS, frame_cb, &l, NULL);
  g_timeout_add_seconds (seconds, flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  wall1 = g_get_monotonic_time ();
  cpu1 = thread_cpu_us ();
  pcpu1 = process_cpu_us ();
  apply_us = _br_live_feed_get_main_thread_us (h.feed) - apply0;
  applied = (guint) (br_live_feed_get_last_seq (h.feed) - seq0);
  h.record_frames = FALSE;
  g_source_remove (round_id);
  g_source_remove (frame_id);
  g_clear_handle_id (&l.feed_source, g_source_remove);
  bench_measure_end ();

  wall_us = wall1 - wall0;
  /* A main loop that cannot keep up decodes forever and never reaches
   * the frames (they have a lower priority): few frames, all cheap.
   * That is a miss, however small each frame was. */
  expected_frames = (guint) (wall_us / (FRAME_INTERVAL_MS * 1000.0));
  starved = l.frame_us->len < expected_frames / 2;
  g_print ("bench-monitor: %u of %u messages decoded and applied to the store's queue (%u behind at the end), "
           "%u frames driven of about %u due, %u real (Broadway) frames\n",
           applied, l.released, l.released - applied, l.frame_us->len, expected_frames, h.real_layout_us->len);
  if (starved)
    g_print ("bench-monitor: the main loop did not keep up: frames starved behind decoding\n");
  g_print ("bench-monitor: %u batches' updates still queued in the store at the end\n",
           br_batch_store_get_n_queued (h.store));
  bench_stats_print ("our work per frame", l.frame_us);
  bench_stats_print ("  of it on the CPU", l.frame_cpu_us);
  bench_stats_print ("  store flush (apply+notify)", l.flush_us);
  bench_stats_print ("  table measure + allocate", l.layout_us);
  bench_stats_print ("  table snapshot", l.snapshot_us);
  bench_stats_print ("frame start to frame start", l.gap_us);
  bench_stats_print ("hand one message to the decoder", l.decode_us);
  bench_stats_print ("hand-over burst per round", l.burst_us);
  bench_stats_print ("real frame: GTK layout", h.real_layout_us);
  bench_stats_print ("real frame: paint + render", h.real_paint_us);
  g_print ("  frames over 16 ms of our work: %u of %u (%u over 16 ms of CPU time)\n",
           l.n_frames_over, l.frame_us->len, l.n_frames_over_cpu);
  g_print ("  main thread CPU: %.0f%% of one core (hand-over %.0f%%, applying decoded messages %.0f%%, "
           "flush %.0f%%, layout %.0f%%, snapshot %.0f%%, "
           "the rest (real frames, GLib, GDK) %.0f%%); whole process %.0f%% (the decoding thread is the difference)\n",
           100.0 * (cpu1 - cpu0) / wall_us,
           100.0 * l.decode_total_us / wall_us, 100.0 * apply_us / wall_us, 100.0 * l.flush_total_us / wall_us,
           100.0 * l.layout_total_us / wall_us, 100.0 * l.snapshot_total_us / wall_us,
           100.0 * MAX (0, (cpu1 - cpu0) - l.decode_total_us - apply_us - l.flush_total_us - l.layout_total_us - l.snapshot_total_us) / wall_us,
           100.0 * (pcpu1 - pcpu0) / wall_us);

  bench_stats_compute (l.frame_us, &frame_stats);
  busiest = max_of (l.gap_us) / 1000.0;
  prefix = g_strdup_printf ("%u running batches x %u updates/s", n, UPDATE_HZ);
  metric = g_strconcat (prefix, ": our work per frame p50 / p99", NULL);
  bench_result ("monitor", metric, "-", "-", "%.2f / %.2f ms", frame_stats.p50_ms, frame_stats.p99_ms);
  g_clear_pointer (&metric, g_free);
  metric = g_strconcat (prefix, ": our work per frame max", NULL);
  bench_result ("monitor", metric, "none over 16 ms", bench_met (l.n_frames_over == 0 && !starved),
                "%.2f ms (%u of %u frames over 16 ms%s)", frame_stats.max_ms, l.n_frames_over, frame_stats.n,
                starved ? "; frames starved: the main loop did not keep up" : "");
  g_clear_pointer (&metric, g_free);
  {
    BenchStats cpu_stats;

    bench_stats_compute (l.frame_cpu_us, &cpu_stats);
    metric = g_strconcat (prefix, ": our work per frame, CPU time, p99 / max", NULL);
    bench_result ("monitor", metric, "none over 16 ms", bench_met (l.n_frames_over_cpu == 0 && !starved),
                  "%.2f / %.2f ms (%u of %u frames over 16 ms)", cpu_stats.p99_ms, cpu_stats.max_ms,
                  l.n_frames_over_cpu, cpu_stats.n);
    g_clear_pointer (&metric, g_free);
  }
  metric = g_strconcat (prefix, ": main-loop CPU", NULL);
  bench_result ("monitor", metric, "-", "-", "%.0f%% of one core (whole process %.0f%%, with the decoding thread)",
                100.0 * (cpu1 - cpu0) / wall_us, 100.0 * (pcpu1 - pcpu0) / wall_us);
  g_clear_pointer (&metric, g_free);
  metric = g_strconcat (prefix, ": longest gap between frames", NULL);
  bench_result ("monitor", metric, "-", "-", "%.1f ms", busiest);

  g_clear_pointer (&l.decode_us, g_array_unref);
  g_clear_pointer (&l.burst_us, g_array_unref);
  g_clear_pointer (&l.flush_us, g_array_unref);
  g_clear_pointer (&l.layout_us, g_array_unref);
  g_clear_pointer (&l.snapshot_us, g_array_unref);
  g_clear_pointer (&l.frame_us, g_array_unref);
  g_clear_pointer (&l.frame_cpu_us, g_array_unref);
  g_clear_pointer (&l.gap_us, g_array_unref);
  harness_clear (&h);
  return 0;
}

/* Every phase, each in a process of its own --------------------------------------- */

typedef struct
{
  gboolean done;
  gboolean timed_out;
} ChildWait;

static void
child_exited (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  ((ChildWait *) data)->done = TRUE;
}

/* In the child, before exec: die with the parent, so that killing the
 * benchmark (bench/run.sh's timeout) leaves no phase running. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Runs this program with @args and G_SLICE set to @slice; its output
 * goes to ours, and when @capture is given, the stdout is also returned
 * there. */
static gboolean
run_child (const char * const *args,
           const char         *slice,
           char              **capture)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", &error);
  g_autofree char *spawn_us = NULL;
  ChildWait wait = { FALSE, FALSE };
  guint timeout_id;

  if (self_exe == NULL)
    {
      g_printerr ("bench-monitor: %s\n", error->message);
      return FALSE;
    }
  g_ptr_array_add (argv, g_strdup (self_exe));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (capture ? G_SUBPROCESS_FLAGS_STDOUT_PIPE : G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_setenv (launcher, "G_SLICE", slice, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  fflush (stdout);
  spawn_us = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_monotonic_time ());
  g_subprocess_launcher_setenv (launcher, "BENCH_MONITOR_SPAWN_US", spawn_us, TRUE);
  child = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  if (child == NULL)
    {
      g_printerr ("bench-monitor: %s\n", error->message);
      return FALSE;
    }

  if (capture != NULL)
    {
      /* The child's output is small; read it all, then wait. */
      if (!g_subprocess_communicate_utf8 (child, NULL, NULL, capture, NULL, &error))
        {
          g_printerr ("bench-monitor: %s\n", error->message);
          g_subprocess_force_exit (child);
          return FALSE;
        }
      fputs (*capture, stdout);
    }

  timeout_id = g_timeout_add_seconds (CHILD_TIMEOUT_S, flag_cb, &wait.timed_out);
  g_subprocess_wait_async (child, NULL, child_exited, &wait);
  while (!wait.done && !wait.timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!wait.done)
    {
      g_printerr ("bench-monitor: %s did not finish in %d s; killed\n", args[0], CHILD_TIMEOUT_S);
      g_subprocess_force_exit (child);
      g_subprocess_wait (child, NULL, NULL);
      return FALSE;
    }
  g_source_remove (timeout_id);
  if (!g_subprocess_get_successful (child))
    {
      g_printerr ("bench-monitor: %s failed\n", args[0]);
      return FALSE;
    }
  return TRUE;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static int
run_all (void)
{
  g_autoptr(GArray) startup_ms = g_array_new (FALSE, FALSE, sizeof (double));
  const char * const startup[] = { "startup", "10000", NULL };
  const char * const sort_filter[] = { "sort-filter", "100000", NULL };
  const char * const live[] = { "live", "1000", "10", NULL };
  const char * const memory[] = { "memory", "100000", NULL };
  g_autofree char *metric = NULL;
  gboolean ok = TRUE;
  double median;

  bench_print_machine ();
  for (guint i = 0; i < N_STARTUP_RUNS; i++)
    {
      g_autofree char *out = NULL;
      const char *line;

      if (!run_child (startup, "always-malloc", &out))
        return EXIT_FAILURE;
      if ((line = strstr (out, "STARTUP_MS\t")) != NULL)
        {
          double ms = g_ascii_strtod (line + strlen ("STARTUP_MS\t"), NULL);

          g_array_append_val (startup_ms, ms);
        }
    }
  if (startup_ms->len == 0)
    {
      g_printerr ("bench-monitor: the start-up runs printed no figure\n");
      return EXIT_FAILURE;
    }
  g_array_sort (startup_ms, compare_double);
  median = g_array_index (startup_ms, double, startup_ms->len / 2);
  metric = g_strdup_printf ("start -> first frame, 10000 batches (median of %u; slowest)", startup_ms->len);
  bench_result ("monitor", metric, "< 500 ms", bench_met (median < TARGET_STARTUP_MS), "%.0f ms; %.0f ms",
                median, g_array_index (startup_ms, double, startup_ms->len - 1));

  ok &= run_child (sort_filter, "always-malloc", NULL);
  /* What src/monitor/main.c gets since it re-executes itself with
   * G_SLICE=always-malloc before GLib reads it (commit b105c30). */
  ok &= run_child (memory, "always-malloc", NULL);
  ok &= run_child (live, "always-malloc", NULL);
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}

int
main (int    argc,
      char **argv)
{
  gint64 main_us = g_get_monotonic_time ();

  /* GLib 2.74 reads G_SLICE once, in its own constructor, before main ()
   * runs: setting it here would be too late (the store then takes four
   * times the heap), so start again with it set. The parent sets it for
   * each phase, either way on purpose. */
  if (g_getenv ("G_SLICE") == NULL)
    {
      g_setenv ("G_SLICE", "always-malloc", TRUE);
      execv ("/proc/self/exe", argv);
      g_printerr ("bench-monitor: could not restart with G_SLICE=always-malloc\n");
      return EXIT_FAILURE;
    }
  setvbuf (stdout, NULL, _IOLBF, 0);

  if (argc < 2)
    return run_all ();
  if (g_str_equal (argv[1], "startup"))
    return phase_startup (argc > 2 ? atoi (argv[2]) : 10000, main_us);
  if (g_str_equal (argv[1], "sort-filter"))
    return phase_sort_filter (argc > 2 ? atoi (argv[2]) : 100000);
  if (g_str_equal (argv[1], "memory"))
    return phase_memory (argc > 2 ? atoi (argv[2]) : 100000);
  if (g_str_equal (argv[1], "live"))
    return phase_live (argc > 2 ? atoi (argv[2]) : 1000, argc > 3 ? atoi (argv[3]) : 10);

  g_printerr ("usage: %s [startup [N] | sort-filter [N] | memory [N] | live [N] [SECONDS]]\n", argv[0]);
  return 2;
}
