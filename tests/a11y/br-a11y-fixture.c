/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-a11y-fixture"

#include "config.h"

#include <gtk/gtk.h>

/* A window with the accessibility mistakes the a11y tests must catch: one
 * unlabelled control of each common kind, each next to a labelled one
 * that must pass. br-a11y-test's self-test runs the named-controls check
 * on it. The order of the children is part of the contract with
 * test_selftest_unnamed_controls_caught(). */

static void
label_widget (GtkWidget  *widget,
              const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

int
main (int   argc,
      char *argv[])
{
  GtkWidget *window;
  GtkWidget *box;
  GtkWidget *widget;

  gtk_init ();

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "Unlabelled Controls");
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_window_set_child (GTK_WINDOW (window), box);

  /* [0] labelled by its text */
  gtk_box_append (GTK_BOX (box), gtk_button_new_with_label ("Labelled"));

  /* [1] icon only, no label: reported as 'GtkButton' */
  gtk_box_append (GTK_BOX (box), gtk_button_new_from_icon_name ("edit-delete-symbolic"));

  /* [2] icon only, fixed with an accessible label */
  widget = gtk_button_new_from_icon_name ("edit-delete-symbolic");
  label_widget (widget, "Delete");
  gtk_box_append (GTK_BOX (box), widget);

  /* [3] toggle button with an icon only */
  widget = gtk_toggle_button_new ();
  gtk_button_set_icon_name (GTK_BUTTON (widget), "view-pin-symbolic");
  gtk_box_append (GTK_BOX (box), widget);

  /* [4] check button without text */
  gtk_box_append (GTK_BOX (box), gtk_check_button_new ());

  /* [5] check button with text */
  gtk_box_append (GTK_BOX (box), gtk_check_button_new_with_label ("Remember"));

  /* [6] entry with a placeholder only: placeholders are not names */
  widget = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (widget), "Search");
  gtk_box_append (GTK_BOX (box), widget);

  /* [7] entry with an accessible label */
  widget = gtk_entry_new ();
  label_widget (widget, "Batch name");
  gtk_box_append (GTK_BOX (box), widget);

  gtk_window_present (GTK_WINDOW (window));

  /* The test stops us with SIGTERM. */
  while (TRUE)
    g_main_context_iteration (NULL, TRUE);

  return 0;
}
