/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "brd-config.h"

G_BEGIN_DECLS

typedef struct _BrdApi BrdApi;

BrdApi   *brd_api_new             (BrdConfig            *config,
                                   SoupServer           *server,
                                   GError              **error);
void      brd_api_free            (BrdApi               *self);
void      brd_api_set_base_url    (BrdApi               *self,
                                   const char           *url);
void      brd_api_shutdown_async  (BrdApi               *self,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
gboolean  brd_api_shutdown_finish (BrdApi               *self,
                                   GAsyncResult         *result,
                                   GError              **error);

G_END_DECLS
