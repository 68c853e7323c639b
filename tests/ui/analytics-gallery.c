/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Draws the Analytics page with a week of history to PNGs for
 * docs/screenshots (build-aux/screenshot.sh runs it under Broadway):
 *
 *   BRD_BIN=_build/h/src/daemon/batch-runnerd \
 *     tests/ui/run-broadway.sh _build/h/tests/ui/analytics-gallery OUTDIR
 *
 * It runs a real batch-runnerd with the exec processor (FailCo leads exit
 * 3, Reject leads report CRM_REJECTED, the rest succeed at $0.01), runs a
 * batch per day, then moves each batch's timestamps back by whole days
 * (and a few hours, for the heat strip) in the service's SQLite database
 * with the sqlite3 tool while the service is stopped, as if they had run
 * over the last week. The page is shown in a BrmWindow against the
 * restarted service and saved light and dark: analytics.png and
 * analytics-dark.png (the whole page, as long as it scrolls). */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "brm-analytics-page.h"
#include "brm-connection.h"
#include "brm-window.h"
#include "brt-daemon.h"
#include "brt-fixtures.h"

#define PROCESSOR_SCRIPT \
  "#!/bin/sh\n" \
  "read -r lead\n" \
  "case \"$lead\" in\n" \
  "  *FailCo*) echo 'provider timeout' >&2; exit 3;;\n" \
  "  *Reject*) echo '{\"success\": false, \"error_code\": \"CRM_REJECTED\", \"error_message\": \"duplicate contact\"}'; exit 0;;\n" \
  "esac\n" \
  "echo '{\"cost_breakdown\": {\"exec\": 0.01}}'\n"

static char *
run_batch (BrtDaemon  *daemon,
           const char *name,
           guint       n_ok,
           guint       n_fail,
           guint       n_reject)
{
  BrtLeadSpec ok = { .name_prefix = "Company", .enrichment_status = "completed" };
  BrtLeadSpec fail = { .name_prefix = "FailCo", .enrichment_status = "completed" };
  BrtLeadSpec reject = { .name_prefix = "Reject", .enrichment_status = "completed" };
  const BrtLeadSpec *specs[] = { &ok, &fail, &reject };
  guint counts[] = { n_ok, n_fail, n_reject };
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *extra = g_strdup_printf ("\"retry_failed\": false, \"name\": \"%s\"", name);
  g_autoptr(JsonObject) done = NULL;
  char *id;

  for (guint k = 0; k < G_N_ELEMENTS (specs); k++)
    if (counts[k] > 0)
      {
        g_autoptr(GPtrArray) a = brt_import_leads (daemon, counts[k], specs[k]);

        for (guint i = 0; i < a->len; i++)
          g_ptr_array_add (ids, g_strdup (g_ptr_array_index (a, i)));
      }
  id = brt_start_batch (daemon, ids, extra);
  done = brt_wait_batch_status (daemon, id, "completed|failed", 60000);
  return id;
}

static void
sql (const char *db,
     const char *statement)
{
  const char *argv[] = { "sqlite3", db, statement, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    g_error ("sqlite3: %s", error->message);
}

static gboolean
feed_connected (gpointer data)
{
  return br_live_feed_get_state (brm_connection_get_feed (data)) == BR_FEED_STATE_CONNECTED &&
         brm_connection_get_capabilities (data) != NULL;
}

/* The first widget of @type under @root; with @shown, the first one on
 * screen. */
static GtkWidget *
find_type (GtkWidget *root,
           GType      type,
           gboolean   shown)
{
  if (shown && !gtk_widget_get_mapped (root))
    return NULL;
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type, shown);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
model_ready (gpointer data)
{
  return brm_analytics_model_get_state (data) == BRM_ANALYTICS_STATE_READY;
}

/* The page at its full height: its toolbar, then the scrolled window's
 * child below it, over the window background (a widget's own CSS
 * background is drawn by its parent's snapshot, which is skipped here). */
static void
save_page (GtkWidget  *page,
           const char *path)
{
  GtkWidget *scrolled = find_type (page, GTK_TYPE_SCROLLED_WINDOW, TRUE);
  GtkWidget *content = scrolled ? gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled)) : page;
  GtkWidget *toolbar = gtk_widget_get_first_child (gtk_widget_get_first_child (page));
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  double tx = 0, ty = 0, top = 0;
  int width, height;
  GdkRGBA bg;

  if (GTK_IS_VIEWPORT (content))
    content = gtk_viewport_get_child (GTK_VIEWPORT (content));
  /* Where the toolbar sits in the page (its margins), and the space it
   * takes above the content. */
  if (toolbar)
    {
      gtk_widget_translate_coordinates (toolbar, page, 0, 0, &tx, &ty);
      top = gtk_widget_get_height (toolbar) + 2 * ty;
    }
  width = gtk_widget_get_width (content);
  height = gtk_widget_get_height (content) + (int) top;

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (page), "window_bg_color", &bg))
    gdk_rgba_parse (&bg, "#fafafa");
G_GNUC_END_IGNORE_DEPRECATIONS

  gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (toolbar)
    {
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (tx, ty));
      GTK_WIDGET_GET_CLASS (toolbar)->snapshot (toolbar, snapshot);
      gtk_snapshot_restore (snapshot);
    }
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (0, top));
  GTK_WIDGET_GET_CLASS (content)->snapshot (content, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  if (!gsk_renderer_realize (renderer, NULL, &error))
    g_error ("renderer: %s", error->message);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_renderer_unrealize (renderer);
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("could not write %s", path);
  g_print ("analytics-gallery: %s (%d × %d)\n", path, width, height);
}

/* Broadway without a browser lays out about once a second: a few
 * seconds let the page fill in and allocate. */
static void
settle (GtkWidget *page)
{
  gint64 until = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  g_print ("analytics-gallery: page %d × %d, showing %s\n", gtk_widget_get_width (page), gtk_widget_get_height (page),
           brm_analytics_page_get_view (BRM_ANALYTICS_PAGE (page)));
}

int
main (int    argc,
      char **argv)
{
  /* A week of batches: per day good leads, EXIT_3 failures, CRM rejections;
   * day 2 has a failure spike. */
  static const guint week[7][3] = {
    { 30, 2, 1 }, { 44, 3, 0 }, { 20, 18, 2 }, { 52, 2, 1 }, { 38, 4, 2 }, { 26, 1, 0 }, { 46, 3, 1 },
  };
  const char *outdir = argc > 1 ? argv[1] : ".";
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  g_autoptr(GtkCssProvider) dark_css = gtk_css_provider_new ();
  g_autofree char *dir = NULL;
  g_autofree char *script = NULL;
  g_autofree char *light_path = NULL;
  g_autofree char *dark_path = NULL;
  g_autoptr(GPtrArray) batches = g_ptr_array_new_with_free_func (g_free);
  BrtDaemon *daemon;
  BrmConnection *connection;
  BrmAnalyticsModel *model;
  GtkWidget *window, *page, *stack;

  g_setenv ("TZ", "UTC", TRUE);
  gtk_init ();
  adw_init ();

  dir = brt_make_tmp_dir ();
  script = g_build_filename (dir, "processor.sh", NULL);
  if (!g_file_set_contents (script, PROCESSOR_SCRIPT, -1, NULL) || g_chmod (script, 0755) != 0)
    g_error ("could not write %s", script);

  daemon = brt_daemon_start ("--processor", "exec", "--exec-command", script,
                             "--workers", "4", "--retry-backoff-ms", "50", NULL);
  for (guint d = 0; d < G_N_ELEMENTS (week); d++)
    {
      g_autofree char *name = g_strdup_printf ("Outreach wave %u", d + 1);

      g_ptr_array_add (batches, run_batch (daemon, name, week[d][0], week[d][1], week[d][2]));
    }

  /* Back in time: the first batch six days ago, the last today; each
   * also a few hours earlier, so the hours of the day differ. */
  brt_daemon_stop (daemon);
  for (guint d = 0; d < batches->len; d++)
    {
      gint64 shift = ((gint64) (batches->len - 1 - d) * 24 + (d * 5) % 11) * 3600 * G_USEC_PER_SEC;
      const char *id = g_ptr_array_index (batches, d);
      g_autofree char *statement =
        g_strdup_printf ("UPDATE batches SET created_at = created_at - %" G_GINT64_FORMAT ","
                         " started_at = started_at - %" G_GINT64_FORMAT ","
                         " completed_at = completed_at - %" G_GINT64_FORMAT ","
                         " updated_at = updated_at - %" G_GINT64_FORMAT " WHERE id = '%s';"
                         "UPDATE batch_leads SET started_at = started_at - %" G_GINT64_FORMAT ","
                         " completed_at = completed_at - %" G_GINT64_FORMAT " WHERE batch_id = '%s';",
                         shift, shift, shift, shift, id, shift, shift, id);

      sql (brt_daemon_get_db_path (daemon), statement);
    }
  brt_daemon_restart (daemon);

  gtk_css_provider_load_from_resource (css, "/io/github/batchrunner/Monitor/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  connection = brm_connection_new (brt_daemon_get_url (daemon), NULL, NULL);
  brm_connection_start (connection);
  if (!brt_wait_until (feed_connected, connection, 10000))
    g_error ("the monitor did not connect");

  window = g_object_new (BRM_TYPE_WINDOW, "connection", connection, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 768);
  gtk_window_present (GTK_WINDOW (window));
  page = find_type (window, BRM_TYPE_ANALYTICS_PAGE, FALSE);
  model = brm_analytics_page_get_model (BRM_ANALYTICS_PAGE (page));
  stack = gtk_widget_get_ancestor (page, ADW_TYPE_VIEW_STACK);
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "analytics");
  brm_analytics_model_set_period_days (model, 7);
  if (!brt_wait_until (model_ready, model, 20000))
    g_error ("the analytics did not load");
  settle (page);

  light_path = g_build_filename (outdir, "analytics.png", NULL);
  save_page (page, light_path);

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  gtk_css_provider_load_from_resource (dark_css, "/io/github/batchrunner/Monitor/style-dark.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (dark_css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 1);
  settle (page);
  dark_path = g_build_filename (outdir, "analytics-dark.png", NULL);
  save_page (page, dark_path);

  gtk_window_destroy (GTK_WINDOW (window));
  brm_connection_stop (connection);
  g_object_unref (connection);
  brt_daemon_free (daemon);
  brt_remove_tree (dir);
  return 0;
}
