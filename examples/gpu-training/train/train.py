"""The project's training entry point (a stand-in): the file that changes every day."""

import torch

print("torch", torch.__version__, "cuda", torch.cuda.is_available())
