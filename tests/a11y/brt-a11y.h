/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <atspi/atspi.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Helpers for out-of-process accessibility tests: run the real programs
 * under the session that run-a11y.sh provides (Xvfb, private session bus,
 * AT-SPI bus), find them on the AT-SPI desktop and inspect them the way a
 * screen reader does. Every child gets SIGKILL when the test process dies,
 * so a meson timeout leaves nothing behind. */

#define BRT_A11Y_TIMEOUT_MS 20000

/* libatspi 2.46 declares no autoptr cleanups of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AtspiAccessible, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AtspiAction, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AtspiStateSet, g_object_unref)

/* Iterates the default main context (libatspi delivers its D-Bus traffic
 * there) until @condition returns TRUE or @timeout_ms pass. */
gboolean         brt_a11y_wait_until            (gboolean           (*condition) (gpointer),
                                                 gpointer             data,
                                                 guint                timeout_ms);

/* Spawns @argv with stdout sent to stderr (it must not mix with TAP), the
 * GTK environment for AT-SPI (GDK_BACKEND=x11, no GTK_A11Y/NO_AT_BRIDGE),
 * G_DEBUG with fatal-criticals (a GLib-CRITICAL kills the program) and
 * PR_SET_PDEATHSIG. */
GSubprocess     *brt_a11y_spawn                 (const char * const  *argv,
                                                 GSubprocessFlags     flags,
                                                 GError             **error);
/* SIGTERM, a grace period, then SIGKILL; always reaps. */
void             brt_a11y_stop                  (GSubprocess         *proc,
                                                 guint                grace_ms);

/* batch-runnerd ($BRD_BIN) on 127.0.0.1:0 with a temporary SQLite
 * database; url and version come from the process and its health report. */
typedef struct
{
  GSubprocess *proc;
  char        *dir;
  char        *url;
  char        *version;
} BrtA11yDaemon;

BrtA11yDaemon   *brt_a11y_daemon_start          (GError             **error);
void             brt_a11y_daemon_free           (BrtA11yDaemon       *daemon);

/* Test-program setup: locale, g_test_init(), libatspi (exits with a TAP
 * "Bail out!" when there is no AT-SPI bus, i.e. not under run-a11y.sh),
 * and libatspi's "dbind" warnings made non-fatal (see brt-a11y.c). */
void             brt_a11y_test_init             (int                 *argc,
                                                 char              ***argv);
/* g_test_add_func() for tests that talk to AT-SPI: use it for every test
 * of an a11y program (GLib resets the fatal-log handler per test). After
 * each test, the shared monitor (when started) must still be running and
 * answering over AT-SPI, or the test fails with how it ended. */
void             brt_a11y_test_add              (const char          *path,
                                                 GTestFunc            func);

/* batch-runner-monitor ($BRM_BIN) connected to a fresh batch-runnerd,
 * found on the AT-SPI desktop. */
typedef struct
{
  BrtA11yDaemon   *daemon;
  GSubprocess     *proc;
  AtspiAccessible *app;
} BrtA11yMonitor;

BrtA11yMonitor  *brt_a11y_monitor_start         (const char * const  *extra_args,
                                                 GError             **error);
void             brt_a11y_monitor_free          (BrtA11yMonitor      *monitor);

/* One monitor for all the tests of a program (starting it is the slow
 * part), started on first use. When it cannot start, every test that asks
 * fails with the reason and gets NULL. brt_a11y_shared_monitor_free()
 * stops it at the end of main(). */
BrtA11yMonitor  *brt_a11y_shared_monitor        (void);
void             brt_a11y_shared_monitor_free   (void);

/* A REST call to @url's /api/v1@path with an optional JSON @body, as any
 * client makes it; the JSON answer of a 2xx response, or NULL (the reason
 * goes to the test log). */
JsonNode        *brt_a11y_http                  (const char          *url,
                                                 const char          *method,
                                                 const char          *path,
                                                 const char          *body);

/* The AT-SPI application object of process @pid, polled for until
 * @timeout_ms pass. Its cache is off, so names are always current. */
AtspiAccessible *brt_a11y_find_app              (GPid                 pid,
                                                 guint                timeout_ms,
                                                 GError             **error);

/* Depth-first search below @root (itself included) for @role (or any role
 * with ATSPI_ROLE_INVALID) whose name equals @name (any name when NULL). */
AtspiAccessible *brt_a11y_find                  (AtspiAccessible     *root,
                                                 AtspiRole            role,
                                                 const char          *name);
/* The same, polled for until @timeout_ms pass. */
AtspiAccessible *brt_a11y_wait_for              (AtspiAccessible     *root,
                                                 AtspiRole            role,
                                                 const char          *name,
                                                 guint                timeout_ms);

/* The top-level window of @app named @title (any role), polled for until
 * @timeout_ms pass. */
AtspiAccessible *brt_a11y_wait_for_window       (AtspiAccessible     *app,
                                                 const char          *title,
                                                 guint                timeout_ms);

/* The name as the application reports it now, never NULL. */
char            *brt_a11y_get_name              (AtspiAccessible     *accessible);

/* Whether @name is what GTK reports for a widget with no accessible name
 * at all: its type name, such as "GtkButton" or "AdwSplitButton". */
gboolean         brt_a11y_name_is_type_name     (const char          *name);

/* Every interactive control below @root (push, toggle, menu, radio
 * buttons, check boxes, switches, entries, combo boxes, spin buttons,
 * sliders) with an empty or type-name name, each as a path such as
 * "frame 'Batch Runner' > panel > push button 'GtkButton'". */
GPtrArray       *brt_a11y_find_unnamed_controls (AtspiAccessible     *root);

/* Whether @name is one phrase said twice, "Pause Pause": what GTK 4.8
 * reports for a button whose visible label is also set as its accessible
 * label (it joins the labelling child's name and the label property). */
gboolean         brt_a11y_name_is_repeated      (const char          *name);

/* Every interactive control below @root (as above) whose name is
 * repeated, each as a path. */
GPtrArray       *brt_a11y_find_controls_named_twice (AtspiAccessible *root);

/* Runs the control's "click" (or "activate", "press", "toggle") action. */
gboolean         brt_a11y_activate              (AtspiAccessible     *accessible,
                                                 GError             **error);

/* Prints the tree below @root to stderr (set BR_A11Y_DUMP=1 in tests). */
void             brt_a11y_dump                  (AtspiAccessible     *root);
/* brt_a11y_dump() when BR_A11Y_DUMP is set, for a failing test. */
void             brt_a11y_maybe_dump            (AtspiAccessible     *root);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrtA11yDaemon, brt_a11y_daemon_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrtA11yMonitor, brt_a11y_monitor_free)

G_END_DECLS
