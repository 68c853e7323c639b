/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BRM_TYPE_TOKEN_STORE (brm_token_store_get_type ())

G_DECLARE_FINAL_TYPE (BrmTokenStore, brm_token_store, BRM, TOKEN_STORE, GObject)

/* API tokens by server address, kept in the user's keyring (the Secret
 * Service, through libsecret) under the schema
 * "io.github.batchrunner.Monitor.Token" with the attribute "server".
 * Where no Secret Service answers, tokens are kept in memory for this
 * run only and #BrmTokenStore:persistent is %FALSE, so the UI can say so.
 * Tokens are never logged. */
BrmTokenStore *brm_token_store_new             (void);
gboolean       brm_token_store_get_persistent  (BrmTokenStore        *self);

void           brm_token_store_lookup_async    (BrmTokenStore        *self,
                                                const char           *server_url,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
/* Returns the token, or %NULL with no error when none is stored. */
char          *brm_token_store_lookup_finish   (BrmTokenStore        *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void           brm_token_store_store_async     (BrmTokenStore        *self,
                                                const char           *server_url,
                                                const char           *token,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean       brm_token_store_store_finish    (BrmTokenStore        *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void           brm_token_store_clear_async     (BrmTokenStore        *self,
                                                const char           *server_url,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean       brm_token_store_clear_finish    (BrmTokenStore        *self,
                                                GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
