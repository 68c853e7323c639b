/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "brm-connection.h"

G_BEGIN_DECLS

#define BRM_TYPE_APPLICATION (brm_application_get_type ())

G_DECLARE_FINAL_TYPE (BrmApplication, brm_application, BRM, APPLICATION, AdwApplication)

BrmApplication *brm_application_new        (void);
const char     *brm_application_get_server (BrmApplication *self);
BrmConnection  *brm_application_get_connection (BrmApplication *self);

G_END_DECLS
