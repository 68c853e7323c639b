/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "batch-runnerd"

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <unistd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brd-daemon.h"

typedef struct
{
  GMainLoop *loop;
  BrdDaemon *daemon;
  gboolean   stopping;
  int        exit_code;
} Main;

static void
stopped_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Main *m = user_data;
  g_autoptr(GError) error = NULL;

  if (!brd_daemon_stop_finish (BRD_DAEMON (object), result, &error))
    {
      g_warning ("Stopping: %s", error->message);
      m->exit_code = EXIT_FAILURE;
    }
  g_main_loop_quit (m->loop);
}

static gboolean
on_signal (gpointer user_data)
{
  Main *m = user_data;

  if (m->stopping)
    {
      /* A second signal means "now": in-flight leads stay `processing`
       * and the next start puts them back to pending. */
      g_message ("Second stop signal: exiting at once");
      exit (EXIT_FAILURE);
    }

  g_message ("Stopping: no new leads start; waiting for leads in flight");
  m->stopping = TRUE;
  brd_daemon_stop_async (m->daemon, NULL, stopped_cb, m);
  return G_SOURCE_CONTINUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(BrdConfig) config = NULL;
  g_autoptr(BrdDaemon) daemon = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  Main m = { 0 };
  gboolean sample = FALSE;

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
  /* Peers that go away (pipes to exec children, sockets) are errors to
   * handle, never a reason for the service to die. */
  signal (SIGPIPE, SIG_IGN);
  config = brd_config_new ();

  /* `import-leads --sample` names no file, so it is taken out before the
   * service's own options are parsed, which would refuse it. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--sample"))
        {
          sample = TRUE;
          memmove (&argv[i], &argv[i + 1], (argc - i) * sizeof (char *));
          argc--;
          i--;
        }
    }

  if (!brd_config_parse (config, &argc, &argv, &error))
    {
      g_printerr ("batch-runnerd: %s\n", error->message);
      return 2;
    }

  if (argc >= 2 && g_str_equal (argv[1], "import-leads"))
    {
      if (argc != (sample ? 2 : 3))
        {
          g_printerr ("Usage: batch-runnerd import-leads FILE.csv|FILE.json|--sample [--database URL]\n");
          return 2;
        }
      return brd_import_leads_main (config, sample ? NULL : argv[2]);
    }
  else if (sample)
    {
      g_printerr ("batch-runnerd: --sample only goes with import-leads\n");
      return 2;
    }
  else if (argc > 1)
    {
      g_printerr ("batch-runnerd: unknown argument \"%s\"; see --help\n", argv[1]);
      return 2;
    }

  daemon = brd_daemon_new (config);
  if (!brd_daemon_start (daemon, &error))
    {
      g_printerr ("batch-runnerd: %s\n", error->message);
      return EXIT_FAILURE;
    }

  loop = g_main_loop_new (NULL, FALSE);
  m.loop = loop;
  m.daemon = daemon;
  /* Before the line below: whoever reads it may send SIGTERM at once, and
   * without a handler that would kill us instead of stopping gracefully. */
  g_unix_signal_add (SIGTERM, on_signal, &m);
  g_unix_signal_add (SIGINT, on_signal, &m);

  /* Tests and scripts read this line to learn the port. */
  g_print ("listening on %s\n", brd_daemon_get_url (daemon));
  fflush (stdout);

  g_main_loop_run (loop);

  return m.exit_code;
}
