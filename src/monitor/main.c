/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "batch-runner-monitor"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "brm-application.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(BrmApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("Batch Runner"));
  app = brm_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
