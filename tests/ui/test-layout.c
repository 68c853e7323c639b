/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "brm-window.h"

/* The main window's layout and colours, in process under Broadway: it must
 * fit a 360 px wide screen (issue 5, "adaptive down to 360 px") with its
 * key controls still there, and its status colours must read at WCAG AA
 * contrast in the light and the dark style. */

#define RESOURCE_PREFIX "/io/github/batchrunner/Monitor"

static void
load_app_css (void)
{
  static gboolean loaded;
  g_autoptr(GtkCssProvider) css = NULL;

  if (loaded)
    return;
  /* What BrmApplication loads at startup: the status tints live there. */
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, RESOURCE_PREFIX "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  loaded = TRUE;
}

static gboolean
iterate_until (gboolean (*done) (gpointer),
               gpointer   data,
               guint      timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!done (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static GtkWidget *
find_by_css_name_or_type (GtkWidget  *root,
                          GType       type,
                          const char *action)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) &&
      (action == NULL || (GTK_IS_ACTIONABLE (root) &&
                          g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0 &&
                          gtk_widget_get_mapped (root))))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_css_name_or_type (child, type, action);
      if (found)
        return found;
    }
  return NULL;
}

/* The first mapped actionable widget for @action below @root. */
static GtkWidget *
find_mapped_action (GtkWidget  *root,
                    const char *action)
{
  return find_by_css_name_or_type (root, GTK_TYPE_WIDGET, action);
}

static gboolean
fully_inside (GtkWidget *widget,
              GtkWidget *window)
{
  graphene_rect_t bounds;

  if (!gtk_widget_compute_bounds (widget, window, &bounds))
    return FALSE;
  return bounds.size.width > 0 && bounds.size.height > 0 &&
         bounds.origin.x >= 0 && bounds.origin.y >= 0 &&
         bounds.origin.x + bounds.size.width <= gtk_widget_get_width (window) + 0.5 &&
         bounds.origin.y + bounds.size.height <= gtk_widget_get_height (window) + 0.5;
}

static gboolean
has_width (gpointer data)
{
  return gtk_widget_get_width (data) > 0;
}

static gboolean
switcher_bar_shown (gpointer data)
{
  GtkWidget *bar = data;

  return gtk_widget_get_mapped (bar) && fully_inside (bar, GTK_WIDGET (gtk_widget_get_root (bar))) &&
         gtk_widget_get_height (bar) > 20;
}

static gboolean
is_narrow_allocated (gpointer data)
{
  int width = gtk_widget_get_width (data);

  return width > 0 && width <= 360;
}

/* Narrow ----------------------------------------------------------------------- */

/* Names the innermost visible widgets wider than @limit, so a failure says
 * which part of the window is too wide. */
static gboolean
report_wide (GtkWidget *widget,
             int        limit,
             int        depth)
{
  gboolean child_reported = FALSE;
  int min = 0;

  if (!gtk_widget_get_visible (widget))
    return FALSE;
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  if (min <= limit)
    return FALSE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    child_reported |= report_wide (child, limit, depth + 1);
  g_test_message ("%*s%s (%s) needs %d px%s", depth, "", G_OBJECT_TYPE_NAME (widget),
                  gtk_widget_get_css_name (widget), min, child_reported ? "" : " <- too wide, from:");
  if (!child_reported)
    for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
      {
        int child_min = 0;

        if (gtk_widget_get_visible (child))
          gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &child_min, NULL, NULL, NULL);
        g_test_message ("%*s  %s (%s) %d px", depth, "", G_OBJECT_TYPE_NAME (child),
                        gtk_widget_get_css_name (child), child_min);
      }
  return TRUE;
}

static void
test_narrow_minimum_width (void)
{
  BrmWindow *window = g_object_new (BRM_TYPE_WINDOW, NULL);
  GtkWidget *content;
  int min = 0, nat = 0;

  g_object_ref_sink (window);
  load_app_css ();
  content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (window));
  gtk_widget_measure (content, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  g_test_message ("window content: minimum %d px, natural %d px wide", min, nat);
  if (min > 360)
    report_wide (content, 360, 0);
  g_assert_cmpint (min, <=, 360);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static void
test_narrow_controls_visible (void)
{
  BrmWindow *window = g_object_new (BRM_TYPE_WINDOW, NULL);
  static const char * const actions[] = { "app.new-batch", "win.batch-pause", "win.batch-resume",
                                          "win.batch-retry-failed", "win.batch-cancel", NULL };
  GtkWidget *table, *search, *menu, *switcher_bar, *status_dropdown;

  g_object_ref_sink (window);
  load_app_css ();
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 720);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (iterate_until (has_width, window, 10000));
  if (!iterate_until (is_narrow_allocated, window, 5000))
    g_error ("the window is %d px wide at a default size of 360 px: its minimum is too wide",
             gtk_widget_get_width (GTK_WIDGET (window)));

  for (guint i = 0; actions[i] != NULL; i++)
    {
      GtkWidget *button = find_mapped_action (GTK_WIDGET (window), actions[i]);

      if (button == NULL)
        g_error ("no visible control for %s at 360 px", actions[i]);
      if (!fully_inside (button, GTK_WIDGET (window)))
        g_error ("the control for %s is cut off at 360 px", actions[i]);
    }

  table = brm_window_get_table (window);
  search = find_by_css_name_or_type (table, GTK_TYPE_SEARCH_ENTRY, NULL);
  status_dropdown = find_by_css_name_or_type (table, GTK_TYPE_DROP_DOWN, NULL);
  menu = find_by_css_name_or_type (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON, NULL);
  switcher_bar = find_by_css_name_or_type (GTK_WIDGET (window), ADW_TYPE_VIEW_SWITCHER_BAR, NULL);
  g_assert_nonnull (search);
  g_assert_nonnull (status_dropdown);
  g_assert_nonnull (menu);
  g_assert_nonnull (switcher_bar);

  g_assert_true (gtk_widget_get_mapped (table));
  g_assert_true (gtk_widget_get_mapped (search) && fully_inside (search, GTK_WIDGET (window)));
  g_assert_true (gtk_widget_get_mapped (status_dropdown) && fully_inside (status_dropdown, GTK_WIDGET (window)));
  g_assert_true (gtk_widget_get_mapped (menu) && fully_inside (menu, GTK_WIDGET (window)));
  /* The header bar has no room for the view switcher: it moves to the
   * bottom bar, which must show. */
  g_assert_true (adw_view_switcher_bar_get_reveal (ADW_VIEW_SWITCHER_BAR (switcher_bar)));
  /* Its reveal is animated: wait for the end of the animation. */
  if (!iterate_until (switcher_bar_shown, switcher_bar, 10000))
    g_error ("the view switcher bar is not shown at the bottom of a 360 px window");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/monitor/layout/narrow/minimum-width", test_narrow_minimum_width);
  g_test_add_func ("/monitor/layout/narrow/controls-visible", test_narrow_controls_visible);

  return g_test_run ();
}
