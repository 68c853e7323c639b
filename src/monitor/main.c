/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "batch-runner-monitor"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <locale.h>
#include <stdlib.h>
#include <unistd.h>

#include "brm-application.h"

static gboolean
quit_on_signal (gpointer data)
{
  g_application_quit (G_APPLICATION (data));
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(BrmApplication) app = NULL;

  /* GLib 2.74's slice allocator keeps freed JSON nodes (json-glib
   * allocates them with it) in slabs that long-lived objects pin: 100,000
   * batches took 394 MiB of heap instead of 91 (bench/bench-monitor.c).
   * GLib reads G_SLICE in its own constructor, before main (), so setting
   * it here is too late: run again with it set. GLib 2.76 made plain
   * malloc the default. */
  if (getenv ("G_SLICE") == NULL)
    {
      setenv ("G_SLICE", "always-malloc", 1);
      execv ("/proc/self/exe", argv);
      /* No /proc: go on with the slice allocator. */
    }
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("Batch Runner"));
  app = brm_application_new ();

  /* A polite stop (session logout, test harnesses) runs the same shutdown
   * as Quit, so a local service is stopped and coverage is written. */
  g_unix_signal_add (SIGTERM, quit_on_signal, app);
  g_unix_signal_add (SIGINT, quit_on_signal, app);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
