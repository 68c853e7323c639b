/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "brm-lead-selection.h"

G_BEGIN_DECLS

#define BRM_DRAFT_DEFAULT_MAX_CONCURRENT 5
#define BRM_DRAFT_DEFAULT_RETRY_COUNT    3

#define BRM_TYPE_DRAFT (brm_draft_get_type ())

G_DECLARE_FINAL_TYPE (BrmDraft, brm_draft, BRM, DRAFT, GObject)

BrmDraft         *brm_draft_new                  (void);
BrmLeadSelection *brm_draft_get_selection        (BrmDraft     *self);
const char       *brm_draft_get_name             (BrmDraft     *self);
void              brm_draft_set_name             (BrmDraft     *self,
                                                  const char   *name);
const char       *brm_draft_get_description      (BrmDraft     *self);
void              brm_draft_set_description      (BrmDraft     *self,
                                                  const char   *description);
const char       *brm_draft_get_template_version (BrmDraft     *self);
void              brm_draft_set_template_version (BrmDraft     *self,
                                                  const char   *template_version);
guint             brm_draft_get_max_concurrent   (BrmDraft     *self);
void              brm_draft_set_max_concurrent   (BrmDraft     *self,
                                                  guint         max_concurrent);
gboolean          brm_draft_get_retry_failed     (BrmDraft     *self);
void              brm_draft_set_retry_failed     (BrmDraft     *self,
                                                  gboolean      retry_failed);
guint             brm_draft_get_retry_count      (BrmDraft     *self);
void              brm_draft_set_retry_count      (BrmDraft     *self,
                                                  guint         retry_count);
gboolean          brm_draft_is_empty             (BrmDraft     *self);
void              brm_draft_reset                (BrmDraft     *self);
char             *brm_draft_to_json              (BrmDraft     *self,
                                                  const char   *server);
gboolean          brm_draft_load_json            (BrmDraft     *self,
                                                  const char   *json,
                                                  const char   *server,
                                                  GError      **error);
gboolean          brm_draft_restore              (BrmDraft     *self,
                                                  GSettings    *settings,
                                                  const char   *server);
void              brm_draft_store                (BrmDraft     *self,
                                                  GSettings    *settings,
                                                  const char   *server);

G_END_DECLS
