/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "brm-application.h"
#include "brm-window.h"
#include "brt-daemon.h"

static gboolean
status_settled (gpointer data)
{
  const char *text = brm_window_get_status_text (data);

  return g_str_has_prefix (text, "Service ");
}

static BrmWindow *
new_window (const char *server)
{
  BrmWindow *window = g_object_new (BRM_TYPE_WINDOW, "server", server, NULL);

  g_object_ref_sink (window);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
close_window (BrmWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static GtkWidget *
find_by_type (GtkWidget *root,
              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_type (child, type);
      if (found)
        return found;
    }
  return NULL;
}

static void
test_check_service_healthy (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start (NULL, NULL);
  BrmWindow *window = new_window (brt_daemon_get_url (daemon));

  g_assert_cmpstr (brm_window_get_status_text (window), ==, "Not checked yet");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.check-service", NULL);
  g_assert_true (brt_wait_until (status_settled, window, 10000));
  g_assert_cmpstr (brm_window_get_status_text (window), ==, "Service healthy — batch-runnerd " PACKAGE_VERSION);

  close_window (window);
}

static void
test_check_service_unreachable (void)
{
  /* A daemon that has stopped leaves a port nothing listens on. */
  g_autoptr(BrtDaemon) daemon = brt_daemon_start (NULL, NULL);
  g_autofree char *url = g_strdup (brt_daemon_get_url (daemon));
  BrmWindow *window;

  brt_daemon_stop (daemon);
  window = new_window (url);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.check-service", NULL);
  g_assert_true (brt_wait_until (status_settled, window, 10000));
  g_assert_true (g_str_has_prefix (brm_window_get_status_text (window), "Service unreachable: "));

  close_window (window);
}

static void
test_accessible (void)
{
  BrmWindow *window = new_window ("http://127.0.0.1:1");
  GtkWidget *menu_button = find_by_type (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON);
  GtkWidget *button = NULL;

  g_assert_nonnull (menu_button);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (menu_button), GTK_ACCESSIBLE_PROPERTY_LABEL, "Main Menu");

  for (GtkWidget *w = find_by_type (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE);
       w && !button; w = NULL)
    button = find_by_type (w, GTK_TYPE_BUTTON);
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Check Service");
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_ROLE_BUTTON);

  close_window (window);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/monitor/window/accessible", test_accessible);
  g_test_add_func ("/monitor/window/check-service-healthy", test_check_service_healthy);
  g_test_add_func ("/monitor/window/check-service-unreachable", test_check_service_unreachable);

  return g_test_run ();
}
