/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-version"

#include "config.h"

#include "br-version.h"

/**
 * br_get_version:
 *
 * Returns: (transfer none): the version of libbatchrunner, which is also
 *   the version of the whole Batch Runner release.
 */
const char *
br_get_version (void)
{
  return PACKAGE_VERSION;
}
