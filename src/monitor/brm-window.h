/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "brm-application.h"

G_BEGIN_DECLS

#define BRM_TYPE_WINDOW (brm_window_get_type ())

G_DECLARE_FINAL_TYPE (BrmWindow, brm_window, BRM, WINDOW, AdwApplicationWindow)

BrmWindow  *brm_window_new               (BrmApplication *application);
const char *brm_window_get_status_text   (BrmWindow      *self);

G_END_DECLS
