/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BR_DECODE_ERROR (br_decode_error_quark ())

/**
 * BrDecodeError:
 * @BR_DECODE_ERROR_SYNTAX: the text is not JSON (or nested too deep)
 * @BR_DECODE_ERROR_TYPE: a member has the wrong JSON type
 * @BR_DECODE_ERROR_MISSING: a required member is absent
 * @BR_DECODE_ERROR_VALUE: a member has the right type but an impossible value
 *
 * Why a server's message could not be turned into objects.
 */
typedef enum
{
  BR_DECODE_ERROR_SYNTAX,
  BR_DECODE_ERROR_TYPE,
  BR_DECODE_ERROR_MISSING,
  BR_DECODE_ERROR_VALUE,
} BrDecodeError;

GQuark br_decode_error_quark (void);

G_END_DECLS
