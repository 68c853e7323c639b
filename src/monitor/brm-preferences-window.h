/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "brm-token-store.h"

G_BEGIN_DECLS

#define BRM_TYPE_PREFERENCES_WINDOW (brm_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (BrmPreferencesWindow, brm_preferences_window, BRM, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* The monitor's settings: the service (address, API path, token), which
 * notifications to send and when, the colour scheme. Everything is
 * written to @settings at once (address and path when applied); the
 * token goes to @tokens, keyed by the configured address. */
GtkWidget *brm_preferences_window_new (GSettings     *settings,
                                       BrmTokenStore *tokens);

/* Follows the "color-scheme" key of @settings with the default
 * AdwStyleManager, now and whenever it changes. Call once at startup,
 * after adw_init(). */
void       brm_apply_color_scheme     (GSettings     *settings);

G_END_DECLS
