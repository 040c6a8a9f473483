"""The chat messages of one request for the Hugging Face adapter: the prompt and one image entry per image, in
the order the adapter's `image_placement` says; the checkpoint's chat template turns them into text.
"""

from __future__ import annotations

__all__ = ["IMAGE_PLACEHOLDER", "IMAGE_PLACEMENTS", "chat_messages"]

IMAGE_PLACEMENTS = ("before", "after", "interleave")
# lmms-eval's image placeholder; in `interleave` mode a prompt holding exactly one per image is split there.
IMAGE_PLACEHOLDER = "<image>"


def chat_messages(prompt: str, n_images: int, placement: str) -> list[dict]:
    """The chat messages for one request with `n_images` images (0 in blind mode), placed by `placement`.

    before: every image, then the prompt. after: the prompt, then every image. interleave: when the
    prompt holds exactly one `<image>` placeholder per image, each image takes its placeholder's place;
    otherwise each image is preceded by a text label "Image k:" (k from 1, dataset order), all before the
    prompt, so "the second image" in a question has an anchor.
    """
    images = [{"type": "image"} for _ in range(n_images)]
    text = [{"type": "text", "text": prompt}]
    if placement == "after":
        content = text + images
    elif placement == "interleave" and n_images:
        pieces = prompt.split(IMAGE_PLACEHOLDER)
        if len(pieces) == n_images + 1:
            content = [{"type": "text", "text": pieces[0]}] if pieces[0] else []
            for piece in pieces[1:]:
                content.append({"type": "image"})
                if piece:
                    content.append({"type": "text", "text": piece})
        else:
            content = []
            for k in range(1, n_images + 1):
                content += [{"type": "text", "text": f"Image {k}:"}, {"type": "image"}]
            content += text
    else:
        content = images + text
    return [{"role": "user", "content": content}]
