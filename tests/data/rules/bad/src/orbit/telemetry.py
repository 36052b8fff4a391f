def parse(frame: bytes) -> bytes:
    return frame
