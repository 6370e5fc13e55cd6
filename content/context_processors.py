from .accessibility import low_vision_enabled


def accessibility(request):
    return {"low_vision": low_vision_enabled(request)}
