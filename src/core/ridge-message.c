/* ridge-message.c — received protocol messages and decoded image frames
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-core"

#include "config.h"

#include "ridge-message.h"

#include <string.h>

#include "ridge-error.h"

G_DEFINE_BOXED_TYPE (RidgeMessage, ridge_message, ridge_message_ref, ridge_message_unref);
G_DEFINE_BOXED_TYPE (RidgeFrame, ridge_frame, ridge_frame_ref, ridge_frame_unref);
G_DEFINE_BOXED_TYPE (RidgeTerminalInfo, ridge_terminal_info, ridge_terminal_info_copy,
                     ridge_terminal_info_free);

char *
ridge_wire_str_dup (RidgeWireStr s)
{
  if (s.ptr == NULL || s.len == 0)
    return g_strdup ("");
  return g_utf8_make_valid (s.ptr, s.len);
}

RidgeMessage *
ridge_message_new (guint16 type,
                   guint8  flags,
                   guint32 seq,
                   GBytes *payload)
{
  RidgeMessage *msg = g_new0 (RidgeMessage, 1);

  msg->ref_count = 1;
  msg->type = type;
  msg->flags = flags;
  msg->seq = seq;
  msg->payload = payload ? g_bytes_ref (payload) : g_bytes_new (NULL, 0);
  msg->received_us = g_get_monotonic_time ();
  msg->rtt_us = -1;
  return msg;
}

RidgeMessage *
ridge_message_ref (RidgeMessage *msg)
{
  g_return_val_if_fail (msg != NULL, NULL);
  g_atomic_int_inc (&msg->ref_count);
  return msg;
}

void
ridge_message_unref (RidgeMessage *msg)
{
  g_return_if_fail (msg != NULL);
  if (g_atomic_int_dec_and_test (&msg->ref_count))
    {
      g_bytes_unref (msg->payload);
      g_free (msg);
    }
}

gboolean
ridge_message_decode (RidgeMessage *msg,
                      RidgeWireMsg *out,
                      GError      **error)
{
  RidgeWireHeader hdr = { RIDGE_WIRE_VERSION, 0, 0, 0, 0 };
  gsize len;
  const guint8 *data;
  int r;

  g_return_val_if_fail (msg != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  data = g_bytes_get_data (msg->payload, &len);
  hdr.flags = msg->flags;
  hdr.type = msg->type;
  hdr.seq = msg->seq;
  hdr.length = (guint32)len;
  memset (out, 0, sizeof *out);
  r = ridge_wire_decode (&hdr, data, out);
  if (r != RIDGE_WIRE_OK)
    {
      const char *name = ridge_wire_type_name (msg->type);

      ridge_set_error (error, RIDGE_ERROR_PROTOCOL, "%s %s: %s", name ? name : "message",
                       (msg->flags & RIDGE_WIRE_FLAG_RESPONSE) ? "response" : "event",
                       ridge_wire_strerror (r));
      return FALSE;
    }
  return TRUE;
}

RidgeFrame *
ridge_frame_new_from_wire (const RidgeWireFrame *wf,
                           gint64                received_us,
                           GError              **error)
{
  g_autoptr (RidgeFrame) frame = NULL;
  gsize n;

  g_return_val_if_fail (wf != NULL, NULL);

  if (wf->width == 0 || wf->height == 0 || wf->width > 2048 || wf->height > 2048)
    {
      ridge_set_error (error, RIDGE_ERROR_PROTOCOL, "frame size %u×%u out of range",
                       wf->width, wf->height);
      return NULL;
    }
  n = (gsize)wf->width * wf->height;

  frame = g_new0 (RidgeFrame, 1);
  frame->ref_count = 1;
  frame->frame_no = wf->frame_no;
  frame->timestamp_us = (gint64)wf->timestamp_us;
  frame->received_us = received_us;
  frame->width = wf->width;
  frame->height = wf->height;
  frame->dpi = wf->dpi;
  frame->finger_present = wf->finger_present != 0;
  frame->quality = wf->quality;
  frame->dropped_total = wf->dropped_total;
  frame->encoding = wf->encoding;
  frame->encoded_size = wf->image.len;

  if (wf->encoding == RIDGE_ENC_RAW)
    {
      if (wf->image.len != n)
        {
          ridge_set_error (error, RIDGE_ERROR_PROTOCOL,
                           "raw frame of %u×%u carries %u bytes instead of %" G_GSIZE_FORMAT,
                           wf->width, wf->height, wf->image.len, n);
          return NULL;
        }
      frame->pixels = g_bytes_new (wf->image.ptr, n);
    }
  else if (wf->encoding == RIDGE_ENC_RICE)
    {
      guint8 *pixels = g_malloc (n);
      int32_t r = ridge_wire_rice_decode (wf->image.ptr, wf->image.len, wf->width, wf->height,
                                          pixels);

      if (r < 0)
        {
          g_free (pixels);
          ridge_set_error (error, RIDGE_ERROR_PROTOCOL, "compressed frame: %s",
                           ridge_wire_strerror (r));
          return NULL;
        }
      frame->pixels = g_bytes_new_take (pixels, n);
    }
  else
    {
      ridge_set_error (error, RIDGE_ERROR_PROTOCOL, "unknown image encoding %u", wf->encoding);
      return NULL;
    }

  frame->n_minutiae = wf->n_minutiae;
  if (wf->n_minutiae > 0 && wf->minutiae_raw != NULL)
    {
      frame->minutiae = g_new (RidgeWireMinutia, wf->n_minutiae);
      for (guint i = 0; i < wf->n_minutiae; i++)
        ridge_wire_minutia_at (wf->minutiae_raw, (uint16_t)i, &frame->minutiae[i]);
    }
  else
    frame->n_minutiae = 0;

  return g_steal_pointer (&frame);
}

RidgeFrame *
ridge_frame_ref (RidgeFrame *frame)
{
  g_return_val_if_fail (frame != NULL, NULL);
  g_atomic_int_inc (&frame->ref_count);
  return frame;
}

void
ridge_frame_unref (RidgeFrame *frame)
{
  g_return_if_fail (frame != NULL);
  if (g_atomic_int_dec_and_test (&frame->ref_count))
    {
      g_clear_pointer (&frame->pixels, g_bytes_unref);
      g_free (frame->minutiae);
      g_free (frame);
    }
}

RidgeTerminalInfo *
ridge_terminal_info_new_from_wire (const RidgeWireTerminalInfo *wi)
{
  RidgeTerminalInfo *info = g_new0 (RidgeTerminalInfo, 1);

  info->version = wi->version;
  info->max_payload = wi->max_payload;
  info->capabilities = wi->capabilities;
  info->auth_methods = wi->auth_methods;
  info->model = ridge_wire_str_dup (wi->model);
  info->serial = ridge_wire_str_dup (wi->serial);
  info->firmware_version = ridge_wire_str_dup (wi->firmware_version);
  info->algorithm_version = ridge_wire_str_dup (wi->algorithm_version);
  info->sensor_type = wi->sensor_type;
  info->width = wi->width;
  info->height = wi->height;
  info->dpi = wi->dpi;
  info->template_capacity = wi->template_capacity;
  info->template_count = wi->template_count;
  info->boot_counter = wi->boot_counter;
  info->uptime_ms = wi->uptime_ms;
  return info;
}

RidgeTerminalInfo *
ridge_terminal_info_copy (const RidgeTerminalInfo *info)
{
  RidgeTerminalInfo *copy = g_memdup2 (info, sizeof *info);

  copy->model = g_strdup (info->model);
  copy->serial = g_strdup (info->serial);
  copy->firmware_version = g_strdup (info->firmware_version);
  copy->algorithm_version = g_strdup (info->algorithm_version);
  return copy;
}

void
ridge_terminal_info_free (RidgeTerminalInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->model);
  g_free (info->serial);
  g_free (info->firmware_version);
  g_free (info->algorithm_version);
  g_free (info);
}

const char *
ridge_sensor_type_to_string (guint8 sensor_type)
{
  switch (sensor_type)
    {
      case RIDGE_SENSOR_SYNTHETIC: return "synthetic";
      case RIDGE_SENSOR_IMAGES: return "images";
      case RIDGE_SENSOR_OPTICAL: return "optical";
      case RIDGE_SENSOR_CAPACITIVE: return "capacitive";
      case RIDGE_SENSOR_THERMAL: return "thermal";
      case RIDGE_SENSOR_LIBFPRINT: return "libfprint";
      default: return "unknown";
    }
}
