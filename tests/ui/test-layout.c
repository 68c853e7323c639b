/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "brm-status-cell.h"
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

/* The first widget of @type below @root; with @action, the first mapped
 * one that activates it. */
static GtkWidget *
find_widget (GtkWidget  *root,
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
      GtkWidget *found = find_widget (child, type, action);
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
  return find_widget (root, GTK_TYPE_WIDGET, action);
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
  search = find_widget (table, GTK_TYPE_SEARCH_ENTRY, NULL);
  status_dropdown = find_widget (table, GTK_TYPE_DROP_DOWN, NULL);
  menu = find_widget (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON, NULL);
  switcher_bar = find_widget (GTK_WIDGET (window), ADW_TYPE_VIEW_SWITCHER_BAR, NULL);
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

/* Contrast ---------------------------------------------------------------------- */

/* WCAG 2.1 relative luminance and contrast ratio. */
static double
channel_linear (double c)
{
  return c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

static double
luminance (const GdkRGBA *c)
{
  return 0.2126 * channel_linear (c->red) + 0.7152 * channel_linear (c->green) + 0.0722 * channel_linear (c->blue);
}

static double
contrast_ratio (const GdkRGBA *a,
                const GdkRGBA *b)
{
  double la = luminance (a);
  double lb = luminance (b);

  return (MAX (la, lb) + 0.05) / (MIN (la, lb) + 0.05);
}

/* @fg painted over the opaque @bg, as the eye sees it. */
static GdkRGBA
over (const GdkRGBA *fg,
      const GdkRGBA *bg)
{
  return (GdkRGBA) {
    fg->red * fg->alpha + bg->red * (1 - fg->alpha),
    fg->green * fg->alpha + bg->green * (1 - fg->alpha),
    fg->blue * fg->alpha + bg->blue * (1 - fg->alpha),
    1.0,
  };
}

/* A box named like the detail pane, so the "batchdetail ..." rules apply. */
#define TEST_TYPE_DETAIL_NODE (test_detail_node_get_type ())
G_DECLARE_FINAL_TYPE (TestDetailNode, test_detail_node, TEST, DETAIL_NODE, GtkBox)
struct _TestDetailNode { GtkBox parent_instance; };
G_DEFINE_FINAL_TYPE (TestDetailNode, test_detail_node, GTK_TYPE_BOX)
static void test_detail_node_class_init (TestDetailNodeClass *klass) { gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "batchdetail"); }
static void test_detail_node_init (TestDetailNode *self) { }

typedef struct
{
  const char *what;
  const char *ancestor_classes;   /* space-separated, on the parent; NULL: none */
  gboolean    detail_parent;      /* the parent is a "batchdetail" node */
  const char *classes;            /* on the widget itself */
  gboolean    icon;               /* an icon (3:1) rather than text (4.5:1) */
  const char *backgrounds;        /* named colours it is drawn on */
} Tint;

/* Every status tint of style.css, where the window draws it. */
static const Tint tints[] = {
  { "table: running", "batch-table", FALSE, "batch-status running", FALSE, "view_bg_color" },
  { "table: completed", "batch-table", FALSE, "batch-status completed", FALSE, "view_bg_color" },
  { "table: failed", "batch-table", FALSE, "batch-status failed", FALSE, "view_bg_color" },
  { "table: paused", "batch-table", FALSE, "batch-status paused", FALSE, "view_bg_color" },
  /* The detail pane shows the batch status on the window background and
   * lead statuses in a list on the view background. */
  { "detail: running", NULL, TRUE, "status status-running", FALSE, "window_bg_color view_bg_color" },
  { "detail: completed", NULL, TRUE, "status status-completed", FALSE, "window_bg_color view_bg_color" },
  { "detail: failed", NULL, TRUE, "status status-failed", FALSE, "window_bg_color view_bg_color" },
  { "detail: paused", NULL, TRUE, "status status-paused", FALSE, "window_bg_color view_bg_color" },
  { "health: healthy", NULL, FALSE, "status-healthy", FALSE, "window_bg_color card_bg_color" },
  { "health: error", NULL, FALSE, "status-error", FALSE, "window_bg_color card_bg_color" },
  { "summary: over budget", NULL, FALSE, "budget-warning", FALSE, "window_bg_color" },
  { "connection: connected", "connection-indicator connected", FALSE, NULL, TRUE, "headerbar_bg_color" },
  { "connection: reconnecting", "connection-indicator reconnecting", FALSE, NULL, TRUE, "headerbar_bg_color" },
  { "connection: offline", "connection-indicator offline", FALSE, NULL, TRUE, "headerbar_bg_color" },
};

static void
add_classes (GtkWidget  *widget,
             const char *classes)
{
  g_auto(GStrv) names = classes ? g_strsplit (classes, " ", -1) : NULL;

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    gtk_widget_add_css_class (widget, names[i]);
}

static gboolean
iteration_done (gpointer data)
{
  guint *n = data;

  return ++(*n) > 20;
}

static void
check_contrast (AdwColorScheme scheme,
                const char    *scheme_name,
                double        *view_luminance)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *widgets[G_N_ELEMENTS (tints)];
  guint n = 0;
  guint failures = 0;

  load_app_css ();
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), scheme);
  gtk_window_set_child (GTK_WINDOW (window), box);
  for (guint i = 0; i < G_N_ELEMENTS (tints); i++)
    {
      GtkWidget *parent = tints[i].detail_parent ? g_object_new (TEST_TYPE_DETAIL_NODE, NULL)
                                                 : gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      GtkWidget *widget;

      if (tints[i].icon)
        widget = gtk_image_new_from_icon_name ("network-wired-symbolic");
      else if (tints[i].classes != NULL && g_str_has_prefix (tints[i].classes, "batch-status "))
        {
          /* The table's own status cell: it draws icon and text in its
           * CSS colour, the one checked here. */
          widget = brm_status_cell_new (10);
          brm_status_cell_set (BRM_STATUS_CELL (widget), "emblem-ok-symbolic", tints[i].what);
        }
      else
        widget = gtk_label_new (tints[i].what);

      add_classes (parent, tints[i].ancestor_classes);
      add_classes (widget, tints[i].classes);
      gtk_box_append (GTK_BOX (parent), widget);
      gtk_box_append (GTK_BOX (box), parent);
      widgets[i] = widget;
    }
  gtk_window_present (GTK_WINDOW (window));
  iterate_until (iteration_done, &n, 5000);

  for (guint i = 0; i < G_N_ELEMENTS (tints); i++)
    {
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      GtkStyleContext *context = gtk_widget_get_style_context (widgets[i]);
      G_GNUC_END_IGNORE_DEPRECATIONS
      g_auto(GStrv) backgrounds = g_strsplit (tints[i].backgrounds, " ", -1);
      double wanted = tints[i].icon ? 3.0 : 4.5;
      GdkRGBA fg;

      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      gtk_style_context_get_color (context, &fg);
      G_GNUC_END_IGNORE_DEPRECATIONS

      for (guint b = 0; backgrounds[b] != NULL; b++)
        {
          GdkRGBA bg, window_bg, seen;
          double ratio;

          G_GNUC_BEGIN_IGNORE_DEPRECATIONS
          if (!gtk_style_context_lookup_color (context, backgrounds[b], &bg) ||
              !gtk_style_context_lookup_color (context, "window_bg_color", &window_bg))
            g_error ("the theme has no colour %s", backgrounds[b]);
          G_GNUC_END_IGNORE_DEPRECATIONS
          /* A translucent background (the card) lies on the window. */
          window_bg.alpha = 1.0;
          bg = over (&bg, &window_bg);
          if (g_str_equal (backgrounds[b], "view_bg_color"))
            *view_luminance = luminance (&bg);
          seen = over (&fg, &bg);
          ratio = contrast_ratio (&seen, &bg);
          g_test_message ("%s, %s on %s: %.2f:1 (needs %.1f:1)", scheme_name, tints[i].what,
                          backgrounds[b], ratio, wanted);
          if (ratio < wanted)
            {
              g_autofree char *fg_text = gdk_rgba_to_string (&fg);
              g_autofree char *bg_text = gdk_rgba_to_string (&bg);

              g_test_message ("  FAILS: %s on %s", fg_text, bg_text);
              failures++;
            }
        }
    }

  gtk_window_destroy (GTK_WINDOW (window));
  if (failures > 0)
    g_test_fail_printf ("%u status colours under WCAG AA in the %s style (listed above)", failures, scheme_name);
}

static void
test_status_contrast (void)
{
  double light_view = 0, dark_view = 0;

  check_contrast (ADW_COLOR_SCHEME_FORCE_LIGHT, "light", &light_view);
  check_contrast (ADW_COLOR_SCHEME_FORCE_DARK, "dark", &dark_view);
  /* Both styles were really applied. */
  g_assert_cmpfloat (light_view, >, 0.8);
  g_assert_cmpfloat (dark_view, <, 0.05);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/monitor/layout/narrow/minimum-width", test_narrow_minimum_width);
  g_test_add_func ("/monitor/layout/narrow/controls-visible", test_narrow_controls_visible);
  g_test_add_func ("/monitor/layout/status-contrast", test_status_contrast);

  return g_test_run ();
}
