"""The low-vision mode: larger type and high contrast, chosen by the visitor, kept in a cookie."""

LOW_VISION_COOKIE = "low_vision"
LOW_VISION_MAX_AGE = 365 * 24 * 60 * 60


def low_vision_enabled(request) -> bool:
    return request.COOKIES.get(LOW_VISION_COOKIE) == "1"
