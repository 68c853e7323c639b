/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A private D-Bus session bus for one test process (nothing is
 * activatable on it, so no real keyring or notification daemon starts),
 * optionally with a gnome-keyring-daemon owning org.freedesktop.secrets,
 * unlocked, with its files in a temporary HOME. Call it before anything
 * connects to the session bus (in a g_test_trap_subprocess() child, for
 * one bus per test). Both processes die with the test if it dies;
 * brt_session_free() stops them and removes the files. */
typedef struct _BrtSession BrtSession;

BrtSession *brt_session_new         (gboolean    with_keyring);
void        brt_session_free        (BrtSession *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrtSession, brt_session_free)

G_END_DECLS
