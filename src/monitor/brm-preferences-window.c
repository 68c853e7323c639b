/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-preferences-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "brm-preferences-window.h"

#define DEFAULT_BASE_PATH "/api/v1"

struct _BrmPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  BrmTokenStore        *tokens;
  GCancellable         *cancellable;
  /* The server whose token the token row shows. */
  char                 *token_server;

  AdwPreferencesGroup  *service_group;
  AdwEntryRow          *server_row;
  AdwEntryRow          *base_path_row;
  AdwPreferencesGroup  *token_group;
  AdwPasswordEntryRow  *token_row;
  AdwActionRow         *memory_note;
  AdwComboRow          *color_scheme_row;
  AdwActionRow         *completed_row;
  GtkSwitch            *completed_switch;
  AdwActionRow         *failed_row;
  GtkSwitch            *failed_switch;
  AdwActionRow         *rate_row;
  GtkSwitch            *rate_switch;
  AdwActionRow         *rate_threshold_row;
  GtkSpinButton        *rate_threshold_spin;
  AdwActionRow         *budget_row;
  GtkSwitch            *budget_switch;
  AdwActionRow         *budget_threshold_row;
  GtkSpinButton        *budget_threshold_spin;
};

G_DEFINE_FINAL_TYPE (BrmPreferencesWindow, brm_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_TOKENS,
  N_PROPS
};

enum {
  TOKEN_APPLIED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char * const color_schemes[] = { "follow", "light", "dark" };

static void
toast (BrmPreferencesWindow *self,
       const char           *text)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
}

/* Thresholds are fractions in the settings and percentages on screen. */
static gboolean
fraction_to_percent (GValue   *value,
                     GVariant *variant,
                     gpointer  user_data)
{
  g_value_set_double (value, 100.0 * g_variant_get_double (variant));
  return TRUE;
}

static GVariant *
percent_to_fraction (const GValue       *value,
                     const GVariantType *expected_type,
                     gpointer            user_data)
{
  return g_variant_new_double (CLAMP (g_value_get_double (value) / 100.0, 0.0, 1.0));
}

static gboolean
scheme_to_position (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (color_schemes); i++)
    {
      if (g_str_equal (nick, color_schemes[i]))
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }
  return FALSE;
}

static GVariant *
position_to_scheme (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  guint i = g_value_get_uint (value);

  if (i >= G_N_ELEMENTS (color_schemes))
    return NULL;
  return g_variant_new_string (color_schemes[i]);
}

/* A switch or spin button at the end of a row has no label of its own;
 * a screen reader must hear the row's title (and subtitle). */
static void
label_control (AdwActionRow *row,
               GtkWidget    *control)
{
  const char *subtitle = adw_action_row_get_subtitle (row);

  gtk_accessible_update_property (GTK_ACCESSIBLE (control),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                                  -1);
  if (subtitle != NULL && *subtitle != '\0')
    gtk_accessible_update_property (GTK_ACCESSIBLE (control),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle,
                                    -1);
}

static GtkWidget *
find_text (GtkWidget *widget)
{
  if (GTK_IS_TEXT (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_text (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The entry rows' title is drawn as a placeholder, not given to the text
 * field that takes the focus; give it, and say what the row is for. */
static void
label_entry_row (AdwEntryRow *row,
                 const char  *description)
{
  GtkWidget *text = find_text (GTK_WIDGET (row));
  const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));

  g_assert (text != NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (text), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  if (description != NULL)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (text), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
    }
}

static void
set_row_error (AdwEntryRow *row,
               gboolean     error)
{
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
}

static void
set_text_if_different (AdwEntryRow *row,
                       const char  *text)
{
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (row)), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static void
token_looked_up_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  BrmPreferencesWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  token = brm_token_store_lookup_finish (BRM_TOKEN_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the token from the keyring: %s"), error->message);
      toast (self, text);
      return;
    }
  set_text_if_different (ADW_ENTRY_ROW (self->token_row), token ? token : "");
}

/* Shows the token row for the configured server: disabled for the local
 * service (which makes its own), with the stored token otherwise, and the
 * note when tokens cannot outlive this run. */
static void
update_token_ui (BrmPreferencesWindow *self)
{
  g_autofree char *server = g_settings_get_string (self->settings, "server-url");
  gboolean local = *server == '\0';

  gtk_widget_set_sensitive (GTK_WIDGET (self->token_row), !local);
  gtk_widget_set_visible (GTK_WIDGET (self->memory_note), !local && !brm_token_store_get_persistent (self->tokens));

  if (local)
    adw_preferences_group_set_description (self->token_group,
                                           _("The local service makes a token of its own each time it starts."));
  else
    {
      g_autofree char *description = g_strdup_printf (_("Sent to %s with every request."), server);
      adw_preferences_group_set_description (self->token_group, description);
    }

  if (g_strcmp0 (self->token_server, server) == 0)
    return;

  g_free (self->token_server);
  self->token_server = g_strdup (server);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");

  if (!local)
    brm_token_store_lookup_async (self->tokens, server, self->cancellable, token_looked_up_cb, self);
}

static void
server_applied_cb (BrmPreferencesWindow *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
  gsize len = strlen (text);

  /* "http://host:8600/" and "http://host:8600" are the same server. */
  while (len > 0 && text[len - 1] == '/')
    text[--len] = '\0';

  if (len > 0)
    {
      const char *scheme = g_uri_peek_scheme (text);
      g_autoptr(GUri) uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);

      if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
          (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0))
        {
          set_row_error (self->server_row, TRUE);
          toast (self, _("Not a service address: use the form https://host:port"));
          return;
        }
    }

  set_row_error (self->server_row, FALSE);
  set_text_if_different (self->server_row, text);
  g_settings_set_string (self->settings, "server-url", text);
}

static void
base_path_applied_cb (BrmPreferencesWindow *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->base_path_row))));
  gsize len = strlen (text);

  while (len > 1 && text[len - 1] == '/')
    text[--len] = '\0';

  if (len == 0)
    {
      g_settings_reset (self->settings, "api-base-path");
      set_text_if_different (self->base_path_row, DEFAULT_BASE_PATH);
      set_row_error (self->base_path_row, FALSE);
      return;
    }

  if (text[0] != '/' || strpbrk (text, "?# ") != NULL)
    {
      set_row_error (self->base_path_row, TRUE);
      toast (self, _("The API base path is a path such as /api/v1"));
      return;
    }

  set_row_error (self->base_path_row, FALSE);
  set_text_if_different (self->base_path_row, text);
  g_settings_set_string (self->settings, "api-base-path", text);
}

typedef struct
{
  BrmPreferencesWindow *self;
  char                 *server;
  char                 *token;
} TokenChange;

static void
token_change_free (TokenChange *change)
{
  g_object_unref (change->self);
  g_free (change->server);
  g_free (change->token);
  g_free (change);
}

static void
token_saved_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TokenChange *change = user_data;
  BrmPreferencesWindow *self = change->self;
  BrmTokenStore *tokens = BRM_TOKEN_STORE (object);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (change->token != NULL)
    ok = brm_token_store_store_finish (tokens, result, &error);
  else
    ok = brm_token_store_clear_finish (tokens, result, &error);

  if (!ok)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup_printf (_("Could not save the token: %s"), error->message);
          toast (self, text);
        }
    }
  else
    {
      if (change->token == NULL)
        toast (self, _("Token removed"));
      else if (brm_token_store_get_persistent (tokens))
        toast (self, _("Token saved in the keyring"));
      else
        toast (self, _("Token saved until the monitor quits"));
      g_signal_emit (self, signals[TOKEN_APPLIED], 0, change->server, change->token);
    }

  token_change_free (change);
}

static void
token_applied_cb (BrmPreferencesWindow *self)
{
  g_autofree char *server = g_settings_get_string (self->settings, "server-url");
  g_autofree char *token = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->token_row))));
  TokenChange *change;

  if (*server == '\0')
    return;

  change = g_new0 (TokenChange, 1);
  change->self = g_object_ref (self);
  change->server = g_steal_pointer (&server);
  if (*token != '\0')
    {
      change->token = g_steal_pointer (&token);
      /* Not cancelled with the window: a token the user applied is saved. */
      brm_token_store_store_async (self->tokens, change->server, change->token, NULL, token_saved_cb, change);
    }
  else
    brm_token_store_clear_async (self->tokens, change->server, NULL, token_saved_cb, change);
}

static void
server_url_changed_cb (BrmPreferencesWindow *self)
{
  g_autofree char *server = g_settings_get_string (self->settings, "server-url");

  set_text_if_different (self->server_row, server);
  set_row_error (self->server_row, FALSE);
  update_token_ui (self);
}

static void
base_path_changed_cb (BrmPreferencesWindow *self)
{
  g_autofree char *path = g_settings_get_string (self->settings, "api-base-path");

  set_text_if_different (self->base_path_row, path);
  set_row_error (self->base_path_row, FALSE);
}

static void
brm_preferences_window_constructed (GObject *object)
{
  BrmPreferencesWindow *self = BRM_PREFERENCES_WINDOW (object);
  struct { const char *key; GtkSwitch *widget; } switches[] = {
    { "notify-completed", self->completed_switch },
    { "notify-failed", self->failed_switch },
    { "notify-failure-rate", self->rate_switch },
    { "notify-budget", self->budget_switch },
  };

  G_OBJECT_CLASS (brm_preferences_window_parent_class)->constructed (object);

  g_assert (G_IS_SETTINGS (self->settings));
  g_assert (BRM_IS_TOKEN_STORE (self->tokens));

  for (guint i = 0; i < G_N_ELEMENTS (switches); i++)
    g_settings_bind (self->settings, switches[i].key, switches[i].widget, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "failure-rate-threshold", self->rate_threshold_spin, "value",
                                G_SETTINGS_BIND_DEFAULT, fraction_to_percent, percent_to_fraction, NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "budget-warning-fraction", self->budget_threshold_spin, "value",
                                G_SETTINGS_BIND_DEFAULT, fraction_to_percent, percent_to_fraction, NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "color-scheme", self->color_scheme_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, scheme_to_position, position_to_scheme, NULL, NULL);

  /* Addresses and paths are written when applied, not at every key. */
  g_signal_connect_object (self->settings, "changed::server-url", G_CALLBACK (server_url_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::api-base-path", G_CALLBACK (base_path_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tokens, "notify::persistent", G_CALLBACK (update_token_ui), self,
                           G_CONNECT_SWAPPED);
  server_url_changed_cb (self);
  base_path_changed_cb (self);
}

static GtkWidget *
find_list_box (GtkWidget *widget)
{
  if (GTK_IS_LIST_BOX (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_list_box (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* libadwaita 1.2's search model keeps every row of the window alive after
 * it is gone (and with them their GSettings bindings, so the settings
 * too); rows taken out of their groups first are freed. */
static void
release_rows (GtkWidget *widget)
{
  if (ADW_IS_PREFERENCES_GROUP (widget))
    {
      GtkWidget *list = find_list_box (widget);
      GtkWidget *row;

      while (list != NULL && (row = gtk_widget_get_first_child (list)) != NULL)
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (widget), row);
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    release_rows (child);
}

static void
brm_preferences_window_dispose (GObject *object)
{
  BrmPreferencesWindow *self = BRM_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), BRM_TYPE_PREFERENCES_WINDOW);
  release_rows (GTK_WIDGET (self));
  g_clear_object (&self->settings);
  g_clear_object (&self->tokens);

  G_OBJECT_CLASS (brm_preferences_window_parent_class)->dispose (object);
}

static void
brm_preferences_window_finalize (GObject *object)
{
  BrmPreferencesWindow *self = BRM_PREFERENCES_WINDOW (object);

  g_free (self->token_server);

  G_OBJECT_CLASS (brm_preferences_window_parent_class)->finalize (object);
}

static void
brm_preferences_window_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  BrmPreferencesWindow *self = BRM_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_TOKENS:
      g_value_set_object (value, self->tokens);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_preferences_window_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  BrmPreferencesWindow *self = BRM_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_TOKENS:
      self->tokens = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_preferences_window_class_init (BrmPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = brm_preferences_window_constructed;
  object_class->dispose = brm_preferences_window_dispose;
  object_class->finalize = brm_preferences_window_finalize;
  object_class->get_property = brm_preferences_window_get_property;
  object_class->set_property = brm_preferences_window_set_property;

  properties[PROP_SETTINGS] = g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS, flags);
  properties[PROP_TOKENS] = g_param_spec_object ("tokens", NULL, NULL, BRM_TYPE_TOKEN_STORE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BrmPreferencesWindow::token-applied:
   * @server_url: the server the token is for
   * @token: (nullable): the new token, %NULL when it was removed
   *
   * The user saved (or removed) the token of @server_url, and the token
   * store has it: a connection to that server should use it now.
   */
  signals[TOKEN_APPLIED] =
    g_signal_new ("token-applied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/brm-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BrmPreferencesWindow, service_group);
  gtk_widget_class_bind_template_child (widget_class, BrmPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, BrmPreferencesWindow, base_path_row);
  gtk_widget_class_bind_template_child (widget_class, BrmPreferencesWindow, token_group);
  gtk_widget_class_bind_template_child (widget_class, BrmPreferencesWindow, token_row);
  gtk_widget_class_bind_template_child (widget_class, BrmPreferencesWindow, memory_note);
  gtk_widget_class_bind_template_child (widget_class, BrmPreferencesWindow, color_scheme_row);
  gtk_widget_class_bind_template_child (widget_class, BrmPreferencesWindow, completed_row);
  gtk_widget_class_bind_template_child (widget_class, BrmPreferencesWindow, completed_switch);
  gtk_widget_class_bind_template_child (widget_class, BrmPreferencesWindow, failed_row);
  gtk_widget_class_bind_template_child (widget_class, BrmPreferencesWindow, failed_switch);
  gtk_widget_class_bind_template_child (widget_class, BrmPreferencesWindow, rate_row);
  gtk_widget_class_bind_template_child (widget_class, BrmPreferencesWindow, rate_switch);
  gtk_widget_class_bind_template_child (widget_class, BrmPreferencesWindow, rate_threshold_row);
  gtk_widget_class_bind_template_child (widget_class, BrmPreferencesWindow, rate_threshold_spin);
  gtk_widget_class_bind_template_child (widget_class, BrmPreferencesWindow, budget_row);
  gtk_widget_class_bind_template_child (widget_class, BrmPreferencesWindow, budget_switch);
  gtk_widget_class_bind_template_child (widget_class, BrmPreferencesWindow, budget_threshold_row);
  gtk_widget_class_bind_template_child (widget_class, BrmPreferencesWindow, budget_threshold_spin);
  gtk_widget_class_bind_template_callback (widget_class, server_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, base_path_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, token_applied_cb);
}

static void
brm_preferences_window_init (BrmPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  label_entry_row (self->server_row, adw_preferences_group_get_description (self->service_group));
  label_entry_row (self->base_path_row, _("Path of the REST API on the service, such as /api/v1"));
  label_entry_row (ADW_ENTRY_ROW (self->token_row), _("Bearer token for the service; stored in the keyring"));
  label_control (self->completed_row, GTK_WIDGET (self->completed_switch));
  label_control (self->failed_row, GTK_WIDGET (self->failed_switch));
  label_control (self->rate_row, GTK_WIDGET (self->rate_switch));
  label_control (self->rate_threshold_row, GTK_WIDGET (self->rate_threshold_spin));
  label_control (self->budget_row, GTK_WIDGET (self->budget_switch));
  label_control (self->budget_threshold_row, GTK_WIDGET (self->budget_threshold_spin));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->color_scheme_row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->color_scheme_row)),
                                  -1);
}

/**
 * brm_preferences_window_new:
 * @settings: the monitor's settings
 * @tokens: where API tokens are kept
 *
 * Returns: (transfer floating): a preferences window; set its transient
 *   parent and present it
 */
GtkWidget *
brm_preferences_window_new (GSettings     *settings,
                            BrmTokenStore *tokens)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (BRM_IS_TOKEN_STORE (tokens), NULL);

  return g_object_new (BRM_TYPE_PREFERENCES_WINDOW,
                       "settings", settings,
                       "tokens", tokens,
                       NULL);
}

static void
color_scheme_changed_cb (GSettings       *settings,
                         const char      *key,
                         AdwStyleManager *manager)
{
  static const AdwColorScheme schemes[] = {
    ADW_COLOR_SCHEME_DEFAULT, ADW_COLOR_SCHEME_FORCE_LIGHT, ADW_COLOR_SCHEME_FORCE_DARK,
  };
  guint i = g_settings_get_enum (settings, "color-scheme");

  adw_style_manager_set_color_scheme (manager, schemes[MIN (i, G_N_ELEMENTS (schemes) - 1)]);
}

void
brm_apply_color_scheme (GSettings *settings)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();

  g_return_if_fail (G_IS_SETTINGS (settings));

  g_signal_connect_object (settings, "changed::color-scheme", G_CALLBACK (color_scheme_changed_cb), manager, 0);
  color_scheme_changed_cb (settings, "color-scheme", manager);
}
