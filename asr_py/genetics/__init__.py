"""Relationship matrices: pedigree A and A-inverse, inbreeding, genomic G and G-inverse, the
single-step H-inverse; PLINK .bed/.bim/.fam genotypes."""

from asr_py.genetics.genomic import ginverse, gmatrix
from asr_py.genetics.hinverse import hinverse
from asr_py.genetics.pedigree import ainverse, amatrix, inbreeding, prepare_pedigree
from asr_py.genetics.plink import read_plink
from asr_py.genetics.relmatrix import RelMatrix

__all__ = [
    "RelMatrix",
    "prepare_pedigree",
    "inbreeding",
    "ainverse",
    "amatrix",
    "gmatrix",
    "ginverse",
    "hinverse",
    "read_plink",
]
