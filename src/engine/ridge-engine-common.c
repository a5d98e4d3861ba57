/* ridge-engine-common.c — images, error strings and placement-hint sentences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ridge-engine.h"

#include <stdlib.h>
#include <string.h>

const char *
ridge_engine_strerror (int result)
{
  switch (result)
    {
      case RIDGE_ENGINE_OK:
        return "Success";
      case RIDGE_ENGINE_E_INVALID:
        return "Invalid or inconsistent arguments";
      case RIDGE_ENGINE_E_SIZE:
        return "Image size out of range (each side must be 32 to 2048 pixels)";
      case RIDGE_ENGINE_E_NOMEM:
        return "Out of memory";
      case RIDGE_ENGINE_E_NO_PRINT:
        return "No fingerprint found in the image";
      case RIDGE_ENGINE_E_FORMAT:
        return "Malformed template data";
      case RIDGE_ENGINE_E_NOSPACE:
        return "Output buffer too small";
      default:
        return "Unknown engine error";
    }
}

int
ridge_image_init (RidgeImage *img,
                  int         width,
                  int         height,
                  int         dpi)
{
  if (img == NULL)
    return RIDGE_ENGINE_E_INVALID;
  img->width = 0;
  img->height = 0;
  img->dpi = 0;
  img->pixels = NULL;
  if (width < RIDGE_IMAGE_MIN_SIDE || width > RIDGE_IMAGE_MAX_SIDE
      || height < RIDGE_IMAGE_MIN_SIDE || height > RIDGE_IMAGE_MAX_SIDE)
    return RIDGE_ENGINE_E_SIZE;
  if (dpi == 0)
    dpi = 500;
  if (dpi < 0 || dpi > 10000)
    return RIDGE_ENGINE_E_INVALID;
  img->pixels = calloc ((size_t)width * (size_t)height, 1);
  if (img->pixels == NULL)
    return RIDGE_ENGINE_E_NOMEM;
  img->width = width;
  img->height = height;
  img->dpi = dpi;
  return RIDGE_ENGINE_OK;
}

void
ridge_image_clear (RidgeImage *img)
{
  if (img == NULL)
    return;
  free (img->pixels);
  img->pixels = NULL;
  img->width = 0;
  img->height = 0;
  img->dpi = 0;
}

const char *
ridge_hint_text (unsigned hint)
{
  switch (hint)
    {
      case RIDGE_HINT_NONE:
        return "Finger placed well";
      case RIDGE_HINT_MOVE_LEFT:
        return "Move your finger left";
      case RIDGE_HINT_MOVE_RIGHT:
        return "Move your finger right";
      case RIDGE_HINT_MOVE_UP:
        return "Move your finger up";
      case RIDGE_HINT_MOVE_DOWN:
        return "Move your finger down";
      case RIDGE_HINT_TOO_SMALL:
        return "Press your finger flatter to cover more of the sensor";
      case RIDGE_HINT_TOO_DARK:
        return "Press more lightly, or dry your finger";
      case RIDGE_HINT_TOO_LIGHT:
        return "Press harder, or moisten a dry finger";
      case RIDGE_HINT_SMUDGED:
        return "Keep your finger still and clean the sensor";
      default:
        return "Place your finger again";
    }
}
