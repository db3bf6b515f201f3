"""Helpers that translated scripts import: R semantics pandas lacks.

``make_names`` (R's ``check.names``), ``set_names`` (``names(x) <- v``), ``r_c`` (``c()``
flattening), ``r_eq`` (``factor == 4`` compares labels), ``read_rds``/``load_rdata``
(.rds/.RData through the optional ``pyreadr``: ``pip install asr_py[rdata]``) and
``r_data`` (R's ``data(name)``: a file ``name.csv``/``.rda``/``.RData``/``.rds``/``.txt``
next to the script or in ``data/``); testthat's value expectations and the placeholder of
untranslated values come from :mod:`asr_py.translate.checks`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from asr_py.errors import AsrError
from asr_py.model.collate import collate_key, sort_like_r
from asr_py.translate.asremlplus import as_asrtests  # noqa: F401 - translated scripts use it
from asr_py.translate.checks import (  # noqa: F401 - the names translated scripts import
    Untranslated,
    expect_equal,
    expect_error,
    expect_false,
    expect_gt,
    expect_gte,
    expect_lt,
    expect_lte,
    expect_true,
    r_test_that,
    untranslated,
)
from asr_py.translate.racast import r_acast  # noqa: F401 - reshape2's acast()
from asr_py.translate.raggregate import r_aggregate_by  # noqa: F401 - aggregate(x, by)
from asr_py.translate.raghmatrix import r_Amatrix, r_Gmatrix  # noqa: F401 - AGHmatrix
from asr_py.translate.rallequal import r_all_equal  # noqa: F401 - all.equal()
from asr_py.translate.raov import r_aov  # noqa: F401 - aov(), Error() strata
from asr_py.translate.rappend import r_append  # noqa: F401 - append()
from asr_py.translate.rarray import (  # noqa: F401 - array(), x[i, j, k], which(arr.ind)
    r_array,
    r_array_assign,
    r_array_index,
    r_which_arr_ind,
)
from asr_py.translate.rasdf import r_as_data_frame  # noqa: F401 - as.data.frame(v)
from asr_py.translate.rasformula import r_as_formula, r_formula  # noqa: F401 - as.formula(v[k])
from asr_py.translate.raslogical import r_as_logical  # noqa: F401 - as.logical()
from asr_py.translate.rasmatrix import r_as_matrix  # noqa: F401 - as.matrix(x)
from asr_py.translate.rasreml3read import r_capital_factors  # noqa: F401 - asreml.read.table()
from asr_py.translate.rasremlaom import r_aom  # noqa: F401 - fit$aom
from asr_py.translate.rasremllrt import r_asreml_lrt  # noqa: F401 - vsnc::asreml.lrt()
from asr_py.translate.rasrfamily import r_asr_family  # noqa: F401 - family = eval(parse(text = s))
from asr_py.translate.rasrgenomics import r_full2sparse, r_sparse2full  # noqa: F401
from asr_py.translate.rasrgenomicskin import (  # noqa: F401 - ASRgenomics
    r_G_inverse,
    r_G_matrix,
    r_G_tuneup,
    r_match_kinship2pheno,
)
from asr_py.translate.rasrgenomicsqc import (  # noqa: F401 - ASRgenomics
    r_kinship_diagnostics,
    r_qc_filtering,
)
from asr_py.translate.rassign import r_sub_assign  # noqa: F401 - x[i] <- v
from asr_py.translate.rave import r_ave  # noqa: F401 - ave()
from asr_py.translate.rbase import (  # noqa: F401 - the names translated scripts import
    clean_names,
    r_aggregate,
    r_apply,
    r_as,
    r_as_vector,
    r_bind_all,
    r_cbind,
    r_col_or,
    r_col_or_sourced,
    r_cut,
    r_data_frame,
    r_data_table,
    r_diag,
    r_dist,
    r_droplevels,
    r_flat_series,
    r_fun,
    r_ifelse,
    r_ij,
    r_ij_assign,
    r_interaction,
    r_is,
    r_iter,
    r_kronecker,
    r_lapply_cols,
    r_length,
    r_matmul,
    r_na_of,
    r_numeric_of,
    r_outer,
    r_paste,
    r_rbind,
    r_rename_at,
    r_rows,
    r_seq,
    r_set_attr,
    r_tapply,
    r_unname,
    r_var,
    r_wald_test,
    r_which_max,
)
from asr_py.translate.rbindcols import r_bind_cols  # noqa: F401 - dplyr
from asr_py.translate.rbroomasreml import r_tidy_asreml  # noqa: F401 - broom.asreml
from asr_py.translate.rcapture import r_capture_output, r_capture_to  # noqa: F401
from asr_py.translate.rcapwarn import r_capture_warnings, r_warning  # noqa: F401 - testthat
from asr_py.translate.rcaret import r_createFolds  # noqa: F401 - caret's createFolds()
from asr_py.translate.rcasewhen import (  # noqa: F401 - dplyr, tidyr
    r_case_when,
    r_na_if,
    r_replace_na,
)
from asr_py.translate.rcast import melt_cast, r_cast  # noqa: F401 - reshape's cast()
from asr_py.translate.rcfixed import r_cfixed  # noqa: F401 - fit$Cfixed
from asr_py.translate.rchecknames import r_check_names  # noqa: F401 - data.frame()
from asr_py.translate.rchoose import r_choose, r_is_unsorted  # noqa: F401 - choose(), is.unsorted()
from asr_py.translate.rclass import r_class  # noqa: F401 - class(x)
from asr_py.translate.rcld import r_cld  # noqa: F401 - emmeans' cld()
from asr_py.translate.rcnamed import r_c_named, r_list_named  # noqa: F401 - c(a = 1, v)
from asr_py.translate.rcoalesce import r_coalesce, r_cur_column  # noqa: F401 - dplyr
from asr_py.translate.rcoeflist import r_coef_asreml  # noqa: F401 - coef(fit, list=)
from asr_py.translate.rcoefpattern import r_coef_pattern  # noqa: F401 - coef(fit, pattern=)
from asr_py.translate.rcoefrandom import r_coef_random  # noqa: F401 - asreml's names
from asr_py.translate.rcolon import r_colon  # noqa: F401 - a:b of values
from asr_py.translate.rcolorramp import r_color_ramp, r_color_ramp_palette  # noqa: F401
from asr_py.translate.rcolpos import r_col_value  # noqa: F401 - d$x <- v by position
from asr_py.translate.rcombn import r_combn  # noqa: F401 - combn()
from asr_py.translate.rcommandargs import r_command_args  # noqa: F401 - commandArgs()
from asr_py.translate.rcompare import r_cmp, r_sub_keep  # noqa: F401 - R comparisons
from asr_py.translate.rcomplete import r_complete  # noqa: F401 - tidyr's complete()
from asr_py.translate.rcopy import r_copy  # noqa: F401 - a <- b <- list()
from asr_py.translate.rcount import r_count  # noqa: F401 - dplyr's count()/tally()
from asr_py.translate.rcsparse import r_csparse, r_with_csparse  # noqa: F401
from asr_py.translate.rcullis import r_h_cullis, r_varg  # noqa: F401 - agriutilities
from asr_py.translate.rcvtools import r_cvFolds  # noqa: F401 - cvTools
from asr_py.translate.rcvxr import (  # noqa: F401 - CVXR's problems
    r_Maximize,
    r_Minimize,
    r_Problem,
    r_quad_form,
    r_sum_entries,
    r_sum_squares,
    r_Variable,
)
from asr_py.translate.rdate import r_as_date  # noqa: F401 - as.Date()
from asr_py.translate.rdcast import r_dcast  # noqa: F401 - dcast()
from asr_py.translate.rddply import r_ddply  # noqa: F401 - plyr's ddply()
from asr_py.translate.rdeltamethod import r_deltamethod  # noqa: F401 - msm
from asr_py.translate.rdesign import r_design  # noqa: F401
from asr_py.translate.rdiff import r_diff  # noqa: F401 - diff()
from asr_py.translate.rdist import r_dist_matrix  # noqa: F401 - dist()
from asr_py.translate.rdocall import r_do_call  # noqa: F401 - do.call(f, L)
from asr_py.translate.rdplyr import (  # noqa: F401 - dplyr verbs
    r_arrange,
    r_distinct,
    r_dplyr_select,
    r_ldply,
    r_mutate_at,
    r_mutate_if,
    r_pull,
    r_relocate,
    r_rename_with,
)
from asr_py.translate.rdtjoin import r_dt_join  # noqa: F401 - X[Y, on = ]
from asr_py.translate.rdtquery import r_dt_query, r_dt_rows  # noqa: F401 - DT[i, j, by]
from asr_py.translate.rdtset import r_dt_set, r_dt_set_sd  # noqa: F401 - DT[i, a := e]
from asr_py.translate.renv import (  # noqa: F401 - ls(), get(), assign(), eval(parse())
    r_assign_name,
    r_eval_text,
    r_exists,
    r_get,
    r_ls,
    r_ls_list,
    r_rm,
)
from asr_py.translate.renvcols import r_env_columns  # noqa: F401 - formula variables
from asr_py.translate.reval import r_eval  # noqa: F401 - eval(fit$call$data)
from asr_py.translate.rexpand import (  # noqa: F401 - expand.grid(), expand_grid()
    r_crossing,
    r_expand_grid,
    r_tidyr_expand_grid,
)
from asr_py.translate.rexpectmore import r_setequal  # noqa: F401
from asr_py.translate.rfactor import (  # noqa: F401 - as.numeric(f), factor(x)
    r_as_factor,
    r_factor_codes,
)
from asr_py.translate.rfactorlevels import r_factor, r_ordered  # noqa: F401 - factor(levels=)
from asr_py.translate.rfctrelevel import r_fct_relevel  # noqa: F401 - forcats
from asr_py.translate.rfdist import r_pf, r_qf  # noqa: F401 - pf(), qf()
from asr_py.translate.rfilterby import r_filter_by  # noqa: F401 - filter(.by = g)
from asr_py.translate.rfinite import r_is_finite  # noqa: F401 - is.finite()
from asr_py.translate.rforcats import r_fct  # noqa: F401 - forcats' fct_inseq, ...
from asr_py.translate.rforeach import r_foreach  # noqa: F401 - foreach %do%
from asr_py.translate.rformat import r_format  # noqa: F401 - format(x, digits, nsmall)
from asr_py.translate.rformlevels import (  # noqa: F401 - computed pieces of a formula
    r_bquote_value,
    r_formula_levels,
    r_formula_text,
)
from asr_py.translate.rformulaget import r_formula_name  # noqa: F401 - get() in ~
from asr_py.translate.rgammapar import r_with_gamma_par  # noqa: F401 - gammaPar = TRUE
from asr_py.translate.rgenetics import (  # noqa: F401 - A.mat(), A_mat(), makeA()
    r_A_mat_markers,
    r_A_mat_pedigree,
    r_makeA,
)
from asr_py.translate.rgenherit import r_genherit1  # noqa: F401 - lmmtools
from asr_py.translate.rggplot import r_ggplot, r_ggsave  # noqa: F401 - ggplot2 notes
from asr_py.translate.rginverse import r_as_ginverse  # noqa: F401 - ginverse = list()
from asr_py.translate.rgparam import r_gparam  # noqa: F401 - fit$G.param
from asr_py.translate.rgraphics import (  # noqa: F401 - base graphics on matplotlib
    r_abline,
    r_arrows,
    r_axis,
    r_barplot,
    r_box,
    r_boxplot,
    r_curve,
    r_dev_cur,
    r_dev_off,
    r_dev_open,
    r_graphics_off,
    r_grid,
    r_hist,
    r_image,
    r_layout,
    r_legend,
    r_lines,
    r_matplot,
    r_mtext,
    r_pairs,
    r_par,
    r_plot,
    r_plot_fit,
    r_plot_new,
    r_points,
    r_polygon,
    r_pretty_values,
    r_qqline,
    r_qqnorm,
    r_rect,
    r_segments,
    r_text,
    r_title,
    r_xyplot,
)
from asr_py.translate.rgraphmarks import r_matlines, r_matpoints, r_rug  # noqa: F401
from asr_py.translate.rgraphsymbols import r_symbols  # noqa: F401 - symbols()
from asr_py.translate.rgraphvalues import (  # noqa: F401 - values of R's graphics functions
    r_boxplot_stats,
    r_density,
    r_ecdf,
    r_fivenum,
    r_ppoints,
)
from asr_py.translate.rgrouped import r_group_filter, r_group_mutate  # noqa: F401 - dplyr
from asr_py.translate.rgtools import r_mixedorder, r_mixedsort  # noqa: F401 - gtools
from asr_py.translate.rheatmap import r_heatmap  # noqa: F401 - stats' heatmap()
from asr_py.translate.ricreml import r_icreml  # noqa: F401 - lmmtools' icREML()
from asr_py.translate.ridentical import r_identical  # noqa: F401 - identical()
from asr_py.translate.ristrue import r_isfalse, r_istrue  # noqa: F401 - isTRUE()
from asr_py.translate.ristype import (  # noqa: F401 - is.data.frame(), inherits(), ...
    r_inherits,
    r_is_type,
    r_is_vector,
)
from asr_py.translate.rjoin import (  # noqa: F401 - joins, tidyr, rbindlist
    r_dt_which,
    r_gather,
    r_join,
    r_rbindlist,
    r_separate,
    r_spread,
    r_unite,
)
from asr_py.translate.rlag import r_lag  # noqa: F401 - dplyr's lag()/lead()
from asr_py.translate.rlapply import r_lapply  # noqa: F401 - lapply(named list)
from asr_py.translate.rlinalg import (  # noqa: F401 - qr(), rnorm(), runif()
    r_bdiag,
    r_qr,
    r_qr_coef,
    r_qr_q,
    r_qr_qty,
    r_qr_qy,
    r_qr_r,
    r_rnorm,
    r_runif,
)
from asr_py.translate.rlinpred import r_linear_predictors  # noqa: F401 - fit$linear.predictors
from asr_py.translate.rlist import (  # noqa: F401 - x[[k]], x[[i, j]]
    r_get2,
    r_get2_ij,
    r_ifelse_branch,
    r_set2,
)
from asr_py.translate.rlm import (  # noqa: F401 - lm(), anova(lm), model.matrix()
    r_anova,
    r_coef,
    r_fitted,
    r_hatvalues,
    r_lm,
    r_model_matrix,
    r_residuals,
    r_rstandard,
)
from asr_py.translate.rlmmsolver import r_LMMsolve  # noqa: F401 - LMMsolver
from asr_py.translate.rlmmsolverbits import (  # noqa: F401 - LMMsolver's helpers
    r_ADchol,
    r_as_spam,
    r_calcUsc,
    r_constructRinv,
    r_diag_spam,
    r_dlogdet,
    r_linearSum,
    r_ndxMatrix,
)
from asr_py.translate.rlogltest import r_logl_test  # noqa: F401 - biometryassist::logl_test()
from asr_py.translate.rlubridate import (  # noqa: F401 - lubridate's dates and periods
    r_as_period,
    r_day,
    r_dmy,
    r_dym,
    r_int_length,
    r_interval,
    r_mday,
    r_mdy,
    r_month,
    r_myd,
    r_slot,
    r_time_length,
    r_wday,
    r_yday,
    r_ydm,
    r_year,
    r_ymd,
)
from asr_py.translate.rlucid import r_vc  # noqa: F401 - lucid vc(fit)
from asr_py.translate.rmakenames import r_make_names, r_make_unique  # noqa: F401
from asr_py.translate.rmapply import r_mapply  # noqa: F401 - mapply(SIMPLIFY = FALSE)
from asr_py.translate.rmargins import (  # noqa: F401 - rowSums(), colMeans(), ...
    r_colMeans,
    r_colSums,
    r_rowMeans,
    r_rowSums,
)
from asr_py.translate.rmask import r_mask  # noqa: F401 - x[cond] by position
from asr_py.translate.rmatcharg import r_match_arg  # noqa: F401 - match.arg()
from asr_py.translate.rmatnames import r_t  # noqa: F401 - t() of a vector: 1 x n
from asr_py.translate.rmatrix import (  # noqa: F401
    r_arith,
    r_chol,
    r_chol2inv,
    r_ginv,
    r_matrix,
    r_tri,
    r_tri_values,
    set_colnames,
    set_rownames,
)
from asr_py.translate.rmatshape import matrix_elements, reads_as_matrix
from asr_py.translate.rmct import r_multiple_comparisons  # noqa: F401 - multiple_comparisons()
from asr_py.translate.rmctout import r_mct_out  # noqa: F401 - BiometryTraining's mct.out()
from asr_py.translate.rmeantrim import r_mean_trim  # noqa: F401 - mean(x, trim =)
from asr_py.translate.rmerge import r_merge  # noqa: F401 - merge()
from asr_py.translate.rmulttest import r_mt_rawp2adjp  # noqa: F401 - multtest
from asr_py.translate.rmutlambda import r_mutate_at_mask  # noqa: F401 - mutate_at(~ .)
from asr_py.translate.rmvnggrad import r_moving_grid  # noqa: F401 - mvngGrAd
from asr_py.translate.rmvresponse import r_mv_data, r_mv_fixed  # noqa: F401 - d[, 2:3] ~
from asr_py.translate.rnain import r_na_in  # noqa: F401 - NA %in% x
from asr_py.translate.rnasubset import (  # noqa: F401 - x[x > k] with NA (R)
    r_na_logical,
    r_na_subset,
)
from asr_py.translate.rncol import r_ncol, r_nrow  # noqa: F401 - ncol(), nrow(): NULL for a list
from asr_py.translate.rnest import r_nest, r_unnest  # noqa: F401 - tidyr nest()
from asr_py.translate.rnlmefit import (  # noqa: F401 - nlme lme(), groupedData()
    r_grouped_data,
    r_lme,
    r_nlme_struct,
)
from asr_py.translate.rnlmegls import r_gls  # noqa: F401 - nlme gls()
from asr_py.translate.rnull import (  # noqa: F401 - sum(NULL), is.null(names(NULL))
    RNull,
    is_null,
    r_is_null,
    r_null_vec,
)
from asr_py.translate.rnumtext import r_double_text
from asr_py.translate.rops import r_in, r_op  # noqa: F401 - x op y by position, %in%
from asr_py.translate.roptim import r_nlminb, r_optim, r_optimize, r_optimr  # noqa: F401
from asr_py.translate.rpadjust import r_p_adjust  # noqa: F401 - p.adjust()
from asr_py.translate.rpairwise import r_pairwise_comparisons  # noqa: F401 - biometryassist
from asr_py.translate.rparamlist import r_param_list, r_params_table  # noqa: F401
from asr_py.translate.rpascal import r_asreml_nvc  # noqa: F401 - pascal's asreml.nvc()
from asr_py.translate.rpin import r_pin  # noqa: F401 - AAfun/AAFMM's pin()
from asr_py.translate.rpls import r_plsr, r_scores  # noqa: F401 - pls
from asr_py.translate.rplusvalid import (  # noqa: F401 - validAsrtests(), ...
    r_as_predictions_frame,
    r_is_compound_symmetric,
    r_is_predictions_frame,
    r_valid_asrtests,
    r_valid_predictions_frame,
)
from asr_py.translate.rpossibly import r_possibly, r_possibly_call  # noqa: F401 - purrr
from asr_py.translate.rprcomp import r_prcomp  # noqa: F401 - prcomp()
from asr_py.translate.rpredsed import r_pred_sed  # noqa: F401 - predict(...)$sed
from asr_py.translate.rpronoun import r_between  # noqa: F401 - dplyr's between()
from asr_py.translate.rpurrr import r_compact, r_keep, r_map, r_pmax, r_pmin  # noqa: F401
from asr_py.translate.rquantile import r_quantile  # noqa: F401 - quantile()
from asr_py.translate.rrange import r_range  # noqa: F401 - range(x, na.rm = TRUE)
from asr_py.translate.rrank import r_rank  # noqa: F401 - rank()
from asr_py.translate.rreadtable import r_read_csv, r_read_table, r_write_table  # noqa: F401
from asr_py.translate.rreadtext import r_read_text  # noqa: F401 - read.table(text=)
from asr_py.translate.rreadxl import r_read_excel  # noqa: F401 - readxl's arguments
from asr_py.translate.rrecycle import r_recycle1  # noqa: F401 - mutate(x = f(const))
from asr_py.translate.rreduce import r_reduce  # noqa: F401 - max(a, b), prod()
from asr_py.translate.rreducef import r_fold  # noqa: F401 - Reduce()
from asr_py.translate.rrelevel import r_relevel  # noqa: F401 - stats' relevel()
from asr_py.translate.rremoveempty import r_remove_empty  # noqa: F401 - janitor
from asr_py.translate.rremoverownames import r_remove_rownames  # noqa: F401 - tibble
from asr_py.translate.rrenamewith import r_rename_fn  # noqa: F401 - dplyr
from asr_py.translate.rreshape import r_reshape  # noqa: F401 - reshape(direction = 'wide')
from asr_py.translate.rresidasreml import r_resid_asreml  # noqa: F401 - resid(fit)
from asr_py.translate.rround import r_round  # noqa: F401 - round()
from asr_py.translate.rrowsum import r_rowsum  # noqa: F401 - rowsum()
from asr_py.translate.rsample import r_sample, r_sample_int  # noqa: F401 - sample()
from asr_py.translate.rsapply import r_sapply  # noqa: F401 - names, simplification
from asr_py.translate.rsave import r_save, r_save_rds  # noqa: F401 - save(), saveRDS()
from asr_py.translate.rsequence import r_sequence  # noqa: F401 - sequence()
from asr_py.translate.rsetattrs import (  # noqa: F401 - class(x) <- v, attributes(x) <- NULL
    r_set_class,
    r_set_dim,
    r_set_storage_mode,
    r_strip_attributes,
    r_unclass,
)
from asr_py.translate.rsetdt import r_set_dt  # noqa: F401 - data.table's setDT()
from asr_py.translate.rsetlevels import r_set_levels  # noqa: F401 - levels(f) <- v
from asr_py.translate.rsets import (  # noqa: F401 - union(), setdiff(), duplicated()
    r_anyDuplicated,
    r_duplicated,
    r_intersect,
    r_setdiff,
    r_union,
)
from asr_py.translate.rshapiro import r_shapiro_test  # noqa: F401 - shapiro.test()
from asr_py.translate.rsignif import r_signif  # noqa: F401 - signif()
from asr_py.translate.rslice import r_slice, r_slice_by  # noqa: F401 - dplyr's slice()
from asr_py.translate.rsolve import r_solve  # noqa: F401 - solve(a) with dimnames
from asr_py.translate.rsource_url import r_url_file  # noqa: F401 - read.csv("https:..")
from asr_py.translate.rstack import r_stack  # noqa: F401 - stack()
from asr_py.translate.rstats import r_cov2cor  # noqa: F401 - cov2cor(V)
from asr_py.translate.rstop import r_stop  # noqa: F401 - stop() in an expression
from asr_py.translate.rstring import (  # noqa: F401 - R's string functions
    r_endswith,
    r_formatc,
    r_grep,
    r_grepl,
    r_gsub,
    r_nchar,
    r_regexpr,
    r_regmatches,
    r_regsub,
    r_sprintf,
    r_startswith,
    r_str_split_fixed,
    r_strsplit,
    r_substr,
    r_substring,
    r_tolower,
    r_toupper,
    r_trimws,
)
from asr_py.translate.rstringr import (  # noqa: F401 - stringr's functions, rev()
    r_rev,
    r_str_length,
    r_str_remove,
    r_str_remove_all,
    r_str_replace,
    r_str_replace_all,
    r_str_split,
    r_str_split_i,
    r_str_sub,
    r_str_to_lower,
    r_str_to_title,
    r_str_to_upper,
    r_str_trim,
)
from asr_py.translate.rstructure import r_structure  # noqa: F401 - structure()
from asr_py.translate.rsubname import r_sub_name, r_unlist  # noqa: F401 - d["a"], unlist()
from asr_py.translate.rsummary import r_aic, r_bic, r_summary  # noqa: F401 - summary(fit)
from asr_py.translate.rsummarydefault import r_summary_default  # noqa: F401
from asr_py.translate.rsvd import (  # noqa: F401 - svd(), det(), drop(), diag<-
    r_det,
    r_determinant,
    r_drop,
    r_set_diag,
    r_svd,
)
from asr_py.translate.rsweep import r_sweep  # noqa: F401 - sweep()
from asr_py.translate.rsystem import (  # noqa: F401 - file.exists(), Sys.time(), ...
    r_basename,
    r_detect_cores,
    r_dir_create,
    r_dir_exists,
    r_dirname,
    r_file_exists,
    r_list_files,
    r_nzchar,
    r_proc_time,
    r_sys_date,
    r_sys_time,
)
from asr_py.translate.rtabulate import r_tabulate  # noqa: F401 - tabulate()
from asr_py.translate.rtempfile import r_tempdir, r_tempfile  # noqa: F401 - tempfile()
from asr_py.translate.rtestskip import r_skip_on  # noqa: F401 - testthat's skip_on_ci() ...
from asr_py.translate.rtidy import (  # noqa: F401 - summarise(), bind_rows(), recode()
    r_bind_rows,
    r_glimpse,
    r_n_distinct,
    r_pivot_longer,
    r_recode,
    r_relocate_sel,
    r_str_detect,
    r_summarise,
)
from asr_py.translate.rtidyr import r_drop_na  # noqa: F401 - tidyr's drop_na()
from asr_py.translate.rtpsbits import r_tpsmmb  # noqa: F401 - TPSbits' tpsmmb()
from asr_py.translate.rtrace import r_trace  # noqa: F401 - fit$trace
from asr_py.translate.rtransmute import (  # noqa: F401 - base/dplyr helpers (c15tmm)
    r_crossprod,
    r_eigen,
    r_model_frame,
    r_paste_sep,
    r_split,
    r_tcrossprod,
    r_trig,
)
from asr_py.translate.rtrycatch import (  # noqa: F401 - tryCatch(error = )
    r_condition,
    r_condition_message,
)
from asr_py.translate.runique import r_unique  # noqa: F401 - unique(d): rows
from asr_py.translate.rvarcomp3 import r_varcomp3  # noqa: F401 - asreml 3's varcomp
from asr_py.translate.rvcc import r_vcc  # noqa: F401 - asreml(vcc = ) as vcm=
from asr_py.translate.rvcoeff import r_vcoeff  # noqa: F401 - fit$vcoeff
from asr_py.translate.rvector import (  # noqa: F401 - which(), cor(), x[i] <- v, ...
    RVectorList,
    r_assign,
    r_complete_cases,
    r_cor,
    r_head,
    r_in_values,
    r_negate,
    r_not,
    r_order,
    r_scale,
    r_select,
    r_set_dimnames,
    r_stopifnot,
    r_subset,
    r_vector,
    r_which,
)
from asr_py.translate.rvlookup import r_vlookup  # noqa: F401 - expss::vlookup()

_DIRS = (".", "data", "../data", "../../data", "inst/extdata", "../inst/extdata")


def make_names(name: object) -> str:
    """R's ``make.names``: characters other than letters, digits, ``.`` and ``_`` -> ``.``;
    a name not starting with a letter or a dot gets an ``X`` prefix."""
    out = re.sub(r"[^\w.]", ".", str(name))
    if not re.match(r"[^\W\d_]|\.(?!\d)", out):
        out = "X" + out
    return out


def r_eq(x: Any, value: float) -> Any:
    """R's ``x == 4``: a factor (text column) compares its labels (``"4"``), a number
    compares numerically."""
    if x is None:
        return np.array([], dtype=bool)         # R: NULL == 4 is logical(0)
    if isinstance(x, pd.Series) and not pd.api.types.is_numeric_dtype(x):
        label = str(int(value)) if float(value).is_integer() else repr(float(value))
        return x.astype(str) == label
    return x == value


def r_c(*items: Any) -> list[Any]:
    """R's ``c(x, y, ...)``: vectors (lists, arrays, Series) are flattened into one list."""
    out: list[Any] = []
    for x in items:
        if isinstance(x, (list, tuple, range, pd.Series, pd.Index)) or (
                hasattr(x, "ndim") and getattr(x, "ndim", 0) > 0):
            out.extend(list(x))
        elif x is not None:          # c(NULL, 1) is 1
            out.append(x)
    return out


def set_names(x: Any, names: Any) -> Any:
    """R's ``names(x) <- v``: a data frame's columns; a vector becomes a named vector (a
    Series indexed by the names)."""
    if isinstance(x, Untranslated) or isinstance(names, Untranslated):
        return Untranslated("names(x) <- v of an untranslated value", "")._use()
    names = [names] if isinstance(names, str) else list(names)   # one name, not its letters
    if isinstance(x, pd.DataFrame):
        out = x.copy()
        out.columns = list(names)
        return out
    if isinstance(x, pd.Series):
        return pd.Series(x.to_numpy(), index=list(names), name=x.name)
    if isinstance(x, dict):
        return dict(zip(names, x.values()))
    if isinstance(x, RVectorList):              # vector("list", n): a named list
        return dict(zip(names, x))
    if isinstance(x, list) and x and all(isinstance(v, (pd.Series, pd.DataFrame, np.ndarray,
                                                        list, dict)) for v in x):
        if len(names) != len(x):
            raise AsrError(f"names(x) <- v: {len(names)} names for a list of {len(x)} elements")
        return dict(zip(names, x))        # a list of vectors (lapply's): R's named list
    values = [x] if isinstance(x, (str, bytes, int, float)) else list(x)   # R: a length-1 vector
    if any(isinstance(v, (list, tuple, dict, np.ndarray, pd.Series, pd.DataFrame))
           for v in values):
        # a list holding vectors or data frames (setNames(list(c(m, m + s)), var)): a
        # named list, whose elements stay whole
        return dict(zip(names, values))
    return pd.Series(values, index=names)


def _pyreadr() -> Any:
    try:
        import pyreadr
    except ImportError:  # pragma: no cover - depends on the environment
        raise AsrError("reading .rds/.RData files needs the optional package pyreadr",
                       hint="pip install pyreadr (or asr_py[rdata])") from None
    return pyreadr


def _read_r(path: str, rds: bool) -> dict[str, Any]:
    """The objects of an .rds (one, under the key "") or .rda/.RData file: pyreadr first;
    when it reads nothing (R lists, asremlPlus's alldiffs) or refuses the file, the ``rdata``
    package if installed (asr_py.translate.rds); {} when neither can."""
    from asr_py.translate import rds as rdata_reader
    from asr_py.translate.rsave import read_saved

    _not_lfs_pointer(path)
    own = read_saved(path)          # written by the translation's save()/saveRDS()
    if own is not None:
        return {("" if rds else k): v for k, v in own.items()}
    try:
        frames = dict(_pyreadr().read_r(path))
        err: Exception | None = None
    except Exception as e:  # noqa: BLE001 - librdata's errors: try the other reader
        frames, err = {}, e
    if frames:
        return {("" if rds else k): _auto_rownames(v) for k, v in frames.items()}
    if rdata_reader.available():
        try:
            got = rdata_reader.read(path, rds)
        except (ValueError, NotImplementedError, TypeError, KeyError) as e:
            # an R object with parts no reader knows (R_UnboundValue in a saved fit's
            # environments: "252 is not a valid RObjectType")
            raise _UnreadableR(f"cannot read {path!r}: it holds R objects neither pyreadr "
                               f"nor rdata reads ({type(e).__name__}: {e}); a saved model "
                               "fit (asreml, lmer) has no Python counterpart",
                               hint="save the data frames the script needs (saveRDS of a "
                                    "data.frame, write.csv) and fit again") from e
        return {"": got} if rds else dict(got)
    if err is not None:
        raise AsrError(f"cannot read {path!r}: {err}",
                       hint="pip install rdata (asr_py[rdata]) reads R lists and files "
                            "pyreadr refuses") from err
    return {}


class _UnreadableR(AsrError):
    """An .rds/.RData file whose R objects no reader can rebuild."""


def _auto_rownames(d: Any) -> Any:
    """pyreadr gives a data frame's row names as an index named "rownames"; row names
    "1".."n" are R's automatic ones (what pyreadr writes for a default index): a default
    index, as everywhere in a translation."""
    if isinstance(d, pd.DataFrame) and d.index.name == "rownames" and \
            list(map(str, d.index)) == [str(i + 1) for i in range(len(d))]:
        return d.reset_index(drop=True)
    return d


def _not_lfs_pointer(path: str) -> None:
    """A Git LFS pointer (a 130-byte text stub left where a large file was not downloaded)
    is not the data: say so instead of a reader's "unknown file format"."""
    p = Path(path)
    if p.stat().st_size < 1024 and p.read_bytes().startswith(b"version https://git-lfs"):
        raise AsrError(f"{path!r} is a Git LFS pointer, not the data file",
                       hint="fetch the file itself (git lfs pull) next to the script")


def read_rds(path: str) -> Any:
    """R's ``readRDS(path)``: a data frame, or (with the ``rdata`` package) any R object -
    an asremlPlus alldiffs object, a list as a dict; a placeholder
    (asr_py.translate.checks.Untranslated) when no reader can make it."""
    if not Path(path).exists():
        raise AsrError(f"readRDS: no file {path!r}", hint="run the script from its folder")
    try:
        objs = _read_r(path, rds=True)
    except _UnreadableR as e:       # readRDS's value: a placeholder, used -> a clear stop
        return Untranslated(f"readRDS({path!r}): {str(e).splitlines()[0]}", path)
    if not objs:
        return Untranslated(f"readRDS({path!r}): not a data frame pyreadr can read (pip "
                            "install rdata for R lists)", path)
    return objs[""]


def load_rdata(path: str) -> dict[str, Any]:
    """R's ``load(path)``: the objects of an .RData/.rda file by (Python) name."""
    if not Path(path).exists():
        raise AsrError(f"load: no file {path!r}", hint="run the script from its folder")
    from asr_py.translate.printer import pyname

    return {pyname(k): v for k, v in _read_r(path, rds=False).items()}


def r_data(name: str, into: dict[str, Any] | None = None,
           package: str | None = None) -> pd.DataFrame:
    """R's ``data(name)``: the data set from a file next to the script or under ``data/``.
    An .rda/.RData file may hold objects of other names (``data(local851)`` gives
    ``site2``): R binds them all, so they are put in ``into`` (the script's globals()).
    A data frame of R's ``datasets`` package (``iris``, ``CO2`` ...; attached in every R
    session, searched before the working directory's data/) is R's own (rdatasets.py); a
    small data set of lme4 or nlme (``sleepstudy``, ``Orthodont``) is theirs when no file
    of that name is found (rdatasets.package_dataset)."""
    from asr_py.translate import rdatasets

    if package in (None, "datasets") and rdatasets.is_dataset(name):
        return rdatasets.dataset(name)
    if package not in (None, "datasets"):        # data(sleepstudy, package = "lme4")
        found = rdatasets.package_dataset(name, package)
        if found is not None:
            return found
    # R's data() reads a data/ directory (a package's, or the working directory's): those
    # first, so a package's data/X.rda wins over an X.csv beside the script (inst/extdata)
    dirs = [d for d in _DIRS if Path(d).name == "data"] + \
        [d for d in _DIRS if Path(d).name != "data"]
    for d in dirs:
        for ext in (".csv", ".rda", ".RData", ".rdata", ".rds", ".txt", ".tsv"):
            p = Path(d) / f"{name}{ext}"
            if not p.exists():
                continue
            if ext in (".csv",):
                return pd.read_csv(p)
            if ext in (".txt", ".tsv"):
                return pd.read_csv(p, sep=r"\s+")
            if ext == ".rds":
                return read_rds(str(p))   # type: ignore[no-any-return]
            frames = _read_r(str(p), rds=False)
            if into is not None:
                from asr_py.translate.printer import pyname

                into.update({pyname(k): v for k, v in frames.items()})
            if not frames:
                return Untranslated(f"data({name}): no data frame pyreadr can read in {p}",
                                    name)  # type: ignore[return-value]
            return frames.get(name, next(iter(frames.values())))
    found = rdatasets.package_dataset(name) if package is None else None
    if found is not None:       # lme4's sleepstudy, nlme's Orthodont (the package attached)
        return found
    raise AsrError(f"data({name}): no file {name}.csv/.rda/.RData/.rds here or under data/",
                   hint="R packages' data sets are not available in Python: export it from R "
                        f"with write.csv({name}, '{name}.csv', row.names = FALSE)")


def r_lazy(name: str, scope: dict[str, Any]) -> Any:
    """A data set an R script reads by bare name from an attached package (R's lazy data,
    ``library(agridat); d <- john.alpha``): the name's value when the script's scope already
    has it, else :func:`r_data` (a file of that name next to the script or under data/)."""
    from asr_py.translate.printer import pyname

    if pyname(name) in scope:
        return scope[pyname(name)]
    return r_data(name, scope)


def r_sigma2(fit: Any) -> float:
    """asreml 4's ``fit$sigma2`` (asreml 3: ``fit$sigma2``): the residual scale σ², 1 when
    the residual model carries its own variances (:attr:`asr_py.AsremlFit.sigma2`); with
    ``gammaPar = TRUE`` the residual's own variance then (rgammapar.py)."""
    from asr_py.translate.rgammapar import gamma_scale

    s2 = gamma_scale(fit)
    return float(fit.sigma2) if s2 is None else s2


def r_loglik(fit: Any) -> float:
    """asreml's ``fit$loglik``: the REML log-likelihood without its 2π constant,
    ℓ_R + ½ν log 2π (ν = n − rank X; asr_py's ``fit.loglik`` is ℓ_R, the full one), so a
    script's printed asreml value compares; a non-Gaussian fit's is asr_py's."""
    family = getattr(fit, "family", None)
    if family is not None and getattr(family, "name", "gaussian") != "gaussian":
        return float(fit.loglik)
    return float(fit.loglik) + 0.5 * float(fit.result.n_minus_p) * float(np.log(2 * np.pi))


def r_pvals3(pred: Any) -> Any:
    """asreml 3's ``predict(...)$predictions$pvals``: the predictions with asreml 3's column
    names (``standard.error`` and ``est.status`` for asreml 4's ``std.error`` and
    ``status``); anything else is returned as it is."""
    if isinstance(pred, pd.DataFrame):
        return pred.rename(columns={"std.error": "standard.error", "status": "est.status"})
    return pred


def _is_matrix(x: Any) -> bool:
    """A matrix in R's sense: an ndarray, or a numeric DataFrame labelled like one (row labels
    that are not R's default 1..n row names, e.g. asremlPlus's sed or p.differences)."""
    if isinstance(x, np.ndarray):
        return x.ndim == 2
    return isinstance(x, pd.DataFrame) and not isinstance(x.index, pd.RangeIndex) and \
        all(pd.api.types.is_numeric_dtype(t) for t in x.dtypes)


def r_melt(x: Any, id_vars: Any = None, value_vars: Any = None, var_name: str = "variable",
           value_name: str = "value", na_rm: Any = False) -> pd.DataFrame:
    """reshape2's ``melt``: of a data frame, ``pd.melt`` (columns ``variable`` and ``value``;
    neither ``id.vars`` nor ``measure.vars`` given: the factor, character and logical columns
    are the ids, as R guesses; ``na.rm``: rows whose value is NA dropped); of reshape's
    cast() result, :func:`melt_cast` (whatever the other arguments, as reshape dispatches);
    of a matrix (:func:`_is_matrix`), R's melt.matrix: one row per cell, columns Var1 (row
    label), Var2 (column label) and ``value``, the first index fastest (column by column)."""
    if _is_matrix(x) and id_vars is None and value_vars is None:
        m = x if isinstance(x, pd.DataFrame) else pd.DataFrame(
            x, index=range(1, x.shape[0] + 1), columns=range(1, x.shape[1] + 1))
        a = m.to_numpy()
        nr, nc = a.shape
        return pd.DataFrame({"Var1": np.tile(np.asarray(m.index, dtype=object), nc),
                             "Var2": np.repeat(np.asarray(m.columns, dtype=object), nr),
                             value_name: a.ravel(order="F")})
    molten = melt_cast(x)        # reshape's melt() of its own cast(): dispatched on the class
    if molten is None:
        if id_vars is None and value_vars is None and isinstance(x, pd.DataFrame):
            # R guesses: the discrete (factor, character, logical) columns are the ids
            id_vars = [c for c in x.columns if not pd.api.types.is_numeric_dtype(x[c])
                       or pd.api.types.is_bool_dtype(x[c])]
        molten = pd.melt(x, id_vars=id_vars, value_vars=value_vars, var_name=var_name,
                         value_name=value_name)
    if na_rm is True or isinstance(na_rm, (bool, np.bool_)) and bool(na_rm):
        value = "value" if "value" in molten.columns else value_name
        molten = molten[molten[value].notna()].reset_index(drop=True)
    return molten


def r_wald(fit: Any, **kw: Any) -> Any:
    """asreml's ``wald(fit, denDF=...)$Wald``: ``fit.wald(...)`` in asreml 4's columns
    (``Df, denDF, F.inc, Pr``; with ``ssType = "conditional"`` ``Df, denDF, F.inc, F.con,
    Margin, Pr``, denDF and Pr of the conditional F; asreml's F is the λ-scaled one,
    asr_py's ``F.adj``/``F.con.adj``: :func:`asr_py.compat.asremlplus.plus_wald_tab`), the
    denominator df to one decimal place as asreml reports them and Pr of the unrounded df,
    as asreml computes it (:func:`asr_py.results.wald.as_asreml_reports`). A script's
    ``w[, c("F.con", "Pr")]`` then reads what asreml's table holds."""
    from asr_py.compat.asremlplus import plus_wald_tab
    from asr_py.results.wald import as_asreml_reports

    table = fit.wald(**kw)
    if not isinstance(table, pd.DataFrame):
        return table
    shown = as_asreml_reports(table, pr_from_reported=False)
    return plus_wald_tab(shown) if "denDF" in shown.columns else shown


def r_varcomp(fit: Any) -> pd.DataFrame:
    """asreml 4's ``summary(fit)$varcomp``: ``fit.varcomp`` with asreml's fixed residual
    scale ``<term>!R`` (component 1, bound F) where asreml lists it
    (:func:`asr_py.results.vnumbers.asreml_varcomp`)."""
    from asr_py.compat.vpnames import asreml_param_names
    from asr_py.results.vnumbers import asreml_varcomp

    vc = fit.varcomp
    model = getattr(fit, "model", None)
    if model is None or not isinstance(vc, pd.DataFrame):
        return vc
    out = asreml_varcomp(vc, model.residual)
    return out.set_axis(asreml_param_names(model, list(out.index)), axis=0)  # fa(f, k):g!lev!var


def r_vparameters(fit: Any) -> pd.Series:
    """asreml 4's ``fit$vparameters`` (asreml 3's ``$gammas``): variance parameters on
    asreml's scale, variances and covariances as ratios γ = σ²ᵢ/σ² to the residual scale σ²
    (:func:`r_sigma2`; the scale's own entry is 1), fa/rr loadings as λ/σ (so ΛΛ' is on
    the ratio scale too; asremlPlus's estimateV builds G from them), correlations as they are; so
    ``fit$vparameters * fit$sigma2`` are the variances (``summary(fit)$varcomp$component``).
    A residual with its own variances also lists asreml's fixed scale ``<term>!R`` = 1, in
    asreml's place (:mod:`asr_py.results.vnumbers`)."""
    from asr_py.compat.vpnames import asreml_param_names
    from asr_py.results.varcomp_pair import pair_named_values
    from asr_py.results.vnumbers import asreml_names, asreml_order, asreml_scale_name

    p = fit.params
    s2 = r_sigma2(fit)
    scaled = p["Kind"].isin(["variance", "covariance"]).to_numpy()
    loading = (p["Kind"] == "loading").to_numpy()   # fa/rr's Λ: ΛΛ'/σ² = (Λ/σ)(Λ/σ)'
    values = np.where(scaled, p["Value"].to_numpy(dtype=float) / s2,
                      np.where(loading, p["Value"].to_numpy(dtype=float) / np.sqrt(s2),
                               p["Value"].to_numpy(dtype=float)))
    model = getattr(fit, "model", None)
    names = asreml_param_names(model, list(p["Component"]))     # ar2's f!cor1, exp's f!pow
    order = asreml_order(model.residual, names, model) if model is not None and len(names) == len(
        getattr(fit.result, "names", ())) else list(range(len(names)))
    if None in order:         # asreml lists the residual's fixed scale <term>!R = 1 too
        label = asreml_scale_name(model.residual)
        shown = asreml_names(model.residual, [label if i is None else names[i] for i in order])
        vals = [1.0 if i is None else values[i] for i in order]
    else:
        label, shown, vals = "", [names[i] for i in order], list(values[order])
    comp = [label if i is None else str(p["Component"].iloc[i]) for i in order]
    shown, vals = pair_named_values(model, comp, shown, vals)  # rr + diag: the two terms
    return pd.Series(vals, index=shown, name="vparameters")


def r_dimnames(x: Any) -> list[Any]:
    """R's ``dimnames(x)``: [row names, column names] of a matrix or data frame (an array
    without names gives [None, None], R's NULLs)."""
    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[return-value]
    if isinstance(x, pd.DataFrame):
        return [[str(v) for v in x.index], [str(v) for v in x.columns]]
    if hasattr(x, "shape") and len(getattr(x, "shape", ())) == 2:
        return [None, None]
    raise AsrError("dimnames(x): x is not a matrix or data frame",
                   hint="dimnames() of a vector is NULL in R; use names()")


def r_na_omit(x: Any) -> Any:
    """R's ``na.omit(x)``: a data frame's rows, a vector's elements with no missing value. A
    pandas object or R list drops them itself; an array or a list (``as.vector(m)``) gives
    the array of its non-missing values."""
    if hasattr(x, "dropna"):
        return x.dropna()
    a = np.asarray(x)
    if a.dtype.kind in "fc":
        return a[~np.isnan(a)] if a.ndim == 1 else a[~np.isnan(a).any(axis=1)]
    if a.dtype.kind == "O":
        keep = ~pd.isna(a)
        return a[keep] if a.ndim == 1 else a[keep.all(axis=1)]
    return a


def r_names(x: Any) -> list[Any]:
    """R's ``names(x)``: a data frame's column names, a named vector's (Series') names, a
    list's (dict's) keys; ``names(NULL)`` is NULL, read on as an empty vector (:class:`RNull`)
    which :func:`r_sub` keeps NULL and ``NULL == v`` makes ``logical(0)``."""
    if isinstance(x, Untranslated):
        return x._use()   # type: ignore[return-value]
    if is_null(x):
        return RNull()   # NULL, read on as an empty vector (asr_py/translate/rnull.py)
    if isinstance(x, pd.DataFrame):
        return list(x.columns)
    if isinstance(x, pd.Series):
        return list(x.index)
    if isinstance(x, dict):
        return list(x)
    cols = getattr(x, "columns", None)
    # an unnamed vector or list (a Python list, an array, a number): names() is NULL
    return RNull() if cols is None else list(cols)


def r_scalar(x: Any, where: str = "if") -> Any:
    """The one value R's ``if``/``while``/``&&`` take: a length-1 Series, data frame, array
    or list gives its element (R compares one-row results by position, whatever their
    pandas index); length 0 or > 1 is R's error, raised as an AsrError."""
    if isinstance(x, Untranslated):
        return x
    if isinstance(x, (pd.Series, pd.DataFrame, pd.Index, np.ndarray, list, tuple)):
        flat = np.asarray(x, dtype=object).ravel()
        if flat.size != 1:
            raise AsrError(f"{where}(): the condition has length {flat.size}, R needs one "
                           "value",
                           hint="take one element (x[1]) or use any()/all()")
        x = flat[0]
        return x.item() if isinstance(x, np.generic) else x
    return x


def r_rep(x: Any, times: Any = None, each: int | None = None,
          length_out: int | None = None) -> list[Any]:
    """R's ``rep(x, times, each, length.out)``: ``each`` repeats every element, then a
    single ``times`` repeats the whole vector and a vector ``times`` (one count per
    element) repeats each element its own number of times; ``length.out`` recycles to a
    length."""
    xs = list(x) if isinstance(x, (list, tuple, range, pd.Series, pd.Index, np.ndarray)) \
        else [x]
    if each is not None:
        xs = [v for v in xs for _ in range(int(each))]
    if times is not None:
        counts = list(times) if isinstance(times, (list, tuple, range, pd.Series,
                                                   np.ndarray)) else [times]
        if len(counts) == 1:
            xs = xs * int(counts[0])
        elif len(counts) == len(xs):
            xs = [v for v, k in zip(xs, counts) for _ in range(int(k))]
        else:
            raise AsrError(f"rep(): 'times' has {len(counts)} counts for {len(xs)} values",
                           hint="give one count, or one per value as R requires")
    if length_out is not None:
        n = int(length_out)
        xs = [xs[i % len(xs)] for i in range(n)] if xs else []
    return [v.item() if isinstance(v, np.generic) else v for v in xs]


def _sub_with_na(x: Any, seq: list[Any]) -> Any:
    """R's ``v[c(2, NA, 1)]`` of a vector: NA where the position is NA (or beyond the
    end); positions from 1. A negative position beside an NA is an error, as in R."""
    na = [v is None or isinstance(v, float) and np.isnan(v) for v in seq]
    if any(int(v) < 0 for v, m in zip(seq, na) if not m):
        raise AsrError("x[i]: negative positions mixed with NA",
                       hint="R cannot mix negative subscripts with NAs")
    vals = list(x.to_numpy()) if isinstance(x, pd.Series) else list(x)
    out = [np.nan if m or not 0 < int(v) <= len(vals) else vals[int(v) - 1]
           for v, m in zip(seq, na) if m or int(v) != 0]
    if isinstance(x, pd.Series):
        return pd.Series(out, name=x.name)
    return np.asarray(out) if isinstance(x, np.ndarray) else out


def r_sub(x: Any, at: Any) -> Any:
    """R's single-bracket ``x[i]``: 1-based positions (``x[4:7]``, ``x[c(1, 3)]``; negative
    positions drop), names (``d[c("a", "b")]``, also held in a variable) or a logical
    mask (recycled). A data frame keeps those columns, as R's single bracket does."""
    if isinstance(x, Untranslated) or isinstance(at, Untranslated):
        return (at if isinstance(at, Untranslated) else x)._use()
    if is_null(x):                                      # NULL[i] is NULL in R
        return x
    if isinstance(at, np.ndarray) and at.ndim == 0:     # x[np.asarray(i)]: one position
        at = at.item()
    from asr_py.translate.rmask import matrix_mask

    got = matrix_mask(x, at)                # M[L], L a logical matrix of M's shape
    if got is not None:
        return got
    if isinstance(at, pd.Categorical) or isinstance(at, pd.Series) and \
            isinstance(at.dtype, pd.CategoricalDtype):
        # a factor subscript is its integer codes (R's ?Extract), not its labels
        codes = np.asarray(at.cat.codes if isinstance(at, pd.Series) else at.codes)
        at = [np.nan if c < 0 else int(c) + 1 for c in codes]
    seq = list(at) if isinstance(at, (list, tuple, range, np.ndarray, pd.Series,
                                      pd.Index)) else [at]
    if seq and all(isinstance(v, str) for v in seq):                 # by name
        if isinstance(x, pd.DataFrame):
            return x[seq]
        if isinstance(x, pd.Series):
            return x.loc[seq]
        if isinstance(x, dict) and isinstance(at, pd.Series):
            # v[d$key] (a named vector looked up by a column): one value per row
            return pd.Series([x.get(k) for k in seq], index=at.index)
        if isinstance(x, dict):
            # attributes(x)[c("a", "b")]: a name the list does not have is NULL in R
            return {k: x.get(k) for k in seq}
        raise AsrError("x[names]: the object has no names", hint="index by position")
    n = x.shape[1] if isinstance(x, pd.DataFrame) else len(x)
    if seq and all(isinstance(v, (bool, np.bool_)) for v in seq):    # a logical mask
        idx = [i for i in range(n) if seq[i % len(seq)]]
        if isinstance(x, dict):                # a named list keeps its names
            keys = list(x)
            return {keys[i]: x[keys[i]] for i in idx}
    elif any(v is None or isinstance(v, float) and np.isnan(v) for v in seq) and \
            isinstance(x, (pd.Series, list, tuple)) or isinstance(x, np.ndarray) and \
            x.ndim == 1 and any(v is None or isinstance(v, float) and np.isnan(v)
                                for v in seq):
        return _sub_with_na(x, seq)        # v[match(a, b)] where a value has no match
    else:
        pos = [int(v) for v in seq]
        if pos and all(v < 0 for v in pos):
            drop = {-v - 1 for v in pos}
            idx = [i for i in range(n) if i not in drop]
        elif any(v < 0 for v in pos):
            raise AsrError("x[i]: positive and negative positions mixed",
                           hint="R allows only one kind in a subscript")
        else:
            idx = [v - 1 for v in pos if v != 0]
    if isinstance(x, pd.DataFrame) and reads_as_matrix(x, idx) or \
            isinstance(x, np.ndarray) and x.ndim == 2:
        return matrix_elements(x, idx)          # m[i] of a matrix: elements, column-major
    if isinstance(x, pd.DataFrame):
        return x.iloc[:, idx]
    if isinstance(x, pd.Index):
        return x[idx]
    if isinstance(x, pd.Series):
        return x.iloc[idx]
    if isinstance(x, np.ndarray):
        if x.ndim == 1 and len(idx) == 1 and not isinstance(at, (list, tuple, range,
                                                                 np.ndarray, pd.Series,
                                                                 pd.Index)):
            return x[idx[0]]          # v[i] at one position: a value, as for a list below
        return x[idx]
    items = list(x.values()) if isinstance(x, dict) else list(x)
    if isinstance(x, dict) and isinstance(at, (list, tuple, range, np.ndarray, pd.Series,
                                               pd.Index)) and all(i < len(items) for i in idx):
        keys = list(x)                 # a named vector or list keeps its names (R)
        if all(np.isscalar(items[i]) for i in idx):      # a named vector: a Series
            return pd.Series([items[i] for i in idx], index=[keys[i] for i in idx],
                             dtype=object if any(isinstance(items[i], str) for i in idx)
                             else None)
        if len(set(idx)) == len(idx):                    # a named list
            return {keys[i]: items[i] for i in idx}
    if not isinstance(x, dict) and not isinstance(at, (list, tuple, range, np.ndarray,
                                                       pd.Series, pd.Index)) and len(idx) == 1:
        # v[i] of an atomic vector at one position: R's length-1 vector, a value here
        # (v[i] == d$col compares each row with it)
        return items[idx[0]] if idx[0] < len(items) else None
    return [items[i] if i < len(items) else None for i in idx]    # NA beyond the end


def r_elt(x: Any, k: int) -> Any:
    """R's ``x[k]`` of one 1-based position as a value (a Series by position, whatever its
    index; a list or array by position)."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, pd.Series):
        v = x.iloc[int(k) - 1]
    elif isinstance(x, pd.DataFrame) and reads_as_matrix(x, [int(k) - 1]):
        v = matrix_elements(x, [int(k) - 1])[0]  # m[k] of a matrix beyond its columns
    elif isinstance(x, pd.DataFrame):
        return x.iloc[:, [int(k) - 1]]           # a data frame's k-th column, as a frame
    elif isinstance(x, dict):
        v = list(x.values())[int(k) - 1]         # a named list's k-th element
    elif isinstance(x, str | int | float | bool | np.generic) and int(k) == 1:
        v = x                                    # one value is a vector of length 1
    else:
        # a matrix's elements column by column (R's order)
        v = list(x)[int(k) - 1] if not isinstance(x, np.ndarray) else \
            x.ravel(order="F")[int(k) - 1]
    return v.item() if isinstance(v, np.generic) else v


#: the label of R's NA level of a factor (:func:`r_factor_na`)
NA_LEVEL = "NA"


def r_labels(x: Any, na_level: bool = False) -> Any:
    """R's ``factor(x)``/``as.factor(x)``/``as.character(x)`` of a column: its values as text
    the way R prints them (28.0 -> "28", as a number column read with missing values holds
    floats), and a missing value stays missing (R's NA), never the text "nan"; asr.asreml
    then treats those records by its na_action as asreml does.

    A factor with an NA level (:func:`r_factor_na`, R's ``factor(x, exclude = NULL)``) loses
    it: R's ``factor(f)`` drops the NA level (its ``exclude = NA``) and ``as.character(f)``
    gives NA there, so those records are missing again (asremlPlus's
    test42PredictionsPresentation.r:102 re-factors before its na.method fits).
    ``na_level=True`` (``as.factor(f)``, which returns a factor unchanged) keeps it."""
    if hasattr(x, "r_character"):      # a formula (asr.plus.getFormulae): c("~", lhs, rhs)
        return x.r_character()
    if not isinstance(x, pd.Series | pd.Index | np.ndarray | list | tuple):
        return x if x is None or isinstance(x, str) else _r_label(x)
    s = pd.Series(x) if not isinstance(x, pd.Series) else x
    if isinstance(s.dtype, pd.CategoricalDtype):
        na_cat = not na_level and NA_LEVEL in list(s.cat.categories)
        s = s.astype(object)
        if na_cat:
            s = s.where(s != NA_LEVEL, np.nan)
    out = s.map(_r_label, na_action="ignore").astype(object)
    out = out.where(s.notna(), np.nan)
    return out if isinstance(x, pd.Series) else out.tolist() if isinstance(x, list | tuple) \
        else pd.Index(out) if isinstance(x, pd.Index) else out.to_numpy()


def r_levels(x: Any) -> list[str]:
    """R's ``levels(f)``: a factor's levels in the order asr.asreml codes them (a
    Categorical's categories - cut(), factor(x, exclude = NULL) - else the sorted labels,
    numeric text in numeric order: "1", "2", "10", as R's factor of numbers)."""
    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[return-value]
    from asr_py.model.data import level_labels

    s = x if isinstance(x, pd.Series) else pd.Series(x)
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [str(c) for c in s.cat.categories]
    return list(level_labels(s))


def r_factor_na(x: Any) -> pd.Series:
    """R's ``factor(x, exclude = NULL)``: the values as labels with missing values a level of
    their own, labelled "NA" and placed last (R prints it <NA>)."""
    s = pd.Series(x)
    lab = s.astype(object).where(s.isna(), s.astype(str)).where(s.notna(), NA_LEVEL)
    levels = [str(v) for v in (s.cat.categories if isinstance(s.dtype, pd.CategoricalDtype)
                               else sorted(pd.unique(s.dropna()), key=_sort_key))]
    return pd.Series(pd.Categorical(lab, categories=levels + [NA_LEVEL] * bool(s.isna().any())),
                     index=s.index, name=s.name)


def _sort_key(v: Any) -> tuple[int, Any]:
    try:
        return (0, float(v))
    except (TypeError, ValueError):
        return (1, collate_key(str(v)))


def r_system_file(*parts: str, package: str = "base", mustWork: bool = False) -> str:
    """R's ``system.file(..., package =)``: a file R installs from the package's ``inst/``
    folder. Python has no R library, so the file is looked for in the package's source tree
    the script runs in: ``inst/<parts>`` (or ``<parts>``) in the working folder or up to
    four folders above it (a package's tests/testthat). "" when absent, as R; an error with
    ``mustWork``."""
    rel = Path(*[str(p) for p in parts]) if parts else Path()
    here = Path.cwd()
    for d in [here, *list(here.parents)[:4]]:
        for cand in (d / "inst" / rel, d / rel):
            if parts and cand.exists():
                return str(cand)
    if mustWork:
        raise AsrError(f"system.file: no file {rel} of package {package} here",
                       hint="run the script inside the package's source tree, or copy the "
                            "file next to it")
    return ""


def r_attributes(x: Any) -> Any:
    """R's ``attributes(x)`` as a named list (:func:`asr_py.compat.rattrs.attributes`):
    R's own attributes (names, class, row.names, dim) and those in the object's ``attrs``;
    NULL when there are none."""
    from asr_py.compat.rattrs import attributes
    from asr_py.compat.rlist import RList

    out = attributes(x)
    return None if out is None else RList(out)


def r_rownames(x: Any) -> Any:
    """R's ``rownames(x)``: a frame's index (or a named vector's names) as text; of NULL,
    NULL."""
    if x is None:
        return None
    if isinstance(x, Untranslated):
        return x._use()  # type: ignore[return-value]
    if isinstance(x, pd.DataFrame | pd.Series):
        return [str(i) for i in x.index]
    if isinstance(x, np.ndarray):
        return None                 # R: a matrix (or vector) without dimnames has NULL
    raise AsrError(f"rownames() of a {type(x).__name__}", hint="rownames() takes a data "
                   "frame or matrix")


def r_elt2(x: Any, k: int) -> Any:
    """R's ``x[[k]]`` of a 1-based position: a named list's (dict's) k-th value, a data
    frame's k-th column, else the k-th element (:func:`r_elt`)."""
    if isinstance(x, dict):
        return list(x.values())[int(k) - 1]
    if isinstance(x, pd.DataFrame):
        return x.iloc[:, int(k) - 1]
    return r_elt(x, k)


def _r_label(v: Any) -> str:
    """A value as R prints it in a factor level: 28.0 -> "28", 0.1 -> "0.1", TRUE."""
    if isinstance(v, bool | np.bool_):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float | np.floating):
        f = float(v)
        if f.is_integer() and abs(f) < 1e15:
            return str(int(f))
        return r_double_text(f)     # R's as.character: 1e-04, 0.3, 1e+15
    return str(v)


def _r_levels(s: pd.Series) -> list[Any]:
    """R's factor levels of a column: its categories, else its sorted distinct values."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return list(s.cat.categories)
    return sort_like_r(s.dropna().unique().tolist())


def _table_of_matrix(d: pd.DataFrame) -> bool:
    """A numeric frame with row labels (a matrix, as readRDS/pyreadr gives one) whose
    columns cannot be cross-tabulated: table() of a data frame of them would have >= 2^31
    cells, which R refuses; table() of the matrix it was counts its values."""
    if d.shape[1] < 2 or not _is_matrix(d):
        return False
    cells = 1.0
    for c in d.columns:
        cells *= max(int(d[c].nunique()), 1)
        if cells >= 2.0 ** 31:
            return True
    return False


def r_table(*xs: Any, frame: bool = False, dnn: Any = None,
            use_na: str = "no") -> pd.Series | pd.DataFrame:
    """R's ``table(...)``: counts of every level (one factor) or of every combination of
    levels (several, or the columns of one data frame), zeros included, NA left out; with
    ``frame`` R's ``as.data.frame(table(...))``: one row per combination, the first factor
    varying fastest, the counts in ``Freq``. ``use_na`` is R's ``useNA``: "ifany" counts NA
    as a last level of a factor that has one, "always" of every factor (its label NA)."""
    if use_na not in ("no", "ifany", "always"):
        raise AsrError(f"table(useNA = {use_na!r}): R takes 'no', 'ifany' or 'always'")
    if len(xs) == 1 and isinstance(xs[0], pd.DataFrame) and _table_of_matrix(xs[0]):
        # a matrix (readRDS of one gives a data frame): R tabulates all its values
        cols = [pd.Series(xs[0].to_numpy().ravel(order="F"))]
    elif len(xs) == 1 and isinstance(xs[0], pd.DataFrame):
        cols = [xs[0][c] for c in xs[0].columns]
    else:
        cols = [x if isinstance(x, pd.Series) else pd.Series(list(x)) for x in xs]
    if dnn is not None and not (len(xs) == 1 and isinstance(xs[0], pd.DataFrame)):
        # R's names of the dimnames (table()'s dnn, or the arguments' names); none: VarK
        dnn = [dnn] if isinstance(dnn, str) else list(dnn)
        names = [str(dnn[i]) if i < len(dnn) and dnn[i] else f"Var{i + 1}"
                 for i in range(len(cols))]
    else:
        names = [str(c.name) if c.name is not None else f"Var{i + 1}"
                 for i, c in enumerate(cols)]
    data = pd.concat([c.reset_index(drop=True).rename(n) for c, n in zip(cols, names)],
                     axis=1)
    if use_na != "no":
        from asr_py.translate.rtablena import table_na

        return table_na(data, names, use_na, frame)     # table(useNA = "ifany")
    data = data.dropna()
    levels = [_r_levels(data[n]) for n in names]
    counts = data.groupby(names, sort=False, observed=True).size()
    if len(names) == 1:
        counts.index = pd.Index(counts.index, name=names[0])
    # R's combinations: the first factor varies fastest
    grid = pd.MultiIndex.from_product(levels[::-1], names=names[::-1]).reorder_levels(
        list(range(len(names)))[::-1]) if len(names) > 1 else pd.Index(levels[0],
                                                                       name=names[0])
    out = counts.reindex(grid, fill_value=0).rename("Freq").astype(int)
    if not frame and len(names) == 2:
        return table_matrix(out)          # R: a two-way table is a matrix with dimnames
    if not frame:
        return out
    df = out.reset_index()
    for n in names:
        df[n] = df[n].map(_r_label)
    return df


def table_matrix(counts: pd.Series) -> pd.DataFrame:
    """A two-way table's counts (a Series over the grid of both factors' levels) as R's
    matrix: rows the first factor's levels, columns the second's (R's labels), class
    ``table`` (``attrs["r_class"]``; as.data.frame() gives the long form back)."""
    rows, cols = counts.index.levels
    m = counts.unstack(level=1, fill_value=0).reindex(index=rows, columns=cols,
                                                      fill_value=0).astype(int)
    m.index = pd.Index([_r_label(v) for v in rows])
    m.columns = pd.Index([_r_label(v) for v in cols])
    m.attrs["r_class"] = ["table"]
    m.attrs["dimnames_names"] = list(counts.index.names)
    return m


def table_long(m: pd.DataFrame) -> pd.DataFrame:
    """R's ``as.data.frame()`` of a two-way table: one row per cell, the first factor
    varying fastest, columns named after the table's dimnames (Var1, Var2) and Freq."""
    n1, n2 = (m.attrs.get("dimnames_names") or ["Var1", "Var2"])[:2]
    r = list(m.index) * m.shape[1]
    c = [k for k in m.columns for _ in range(m.shape[0])]
    return pd.DataFrame({n1: r, n2: c, "Freq": m.to_numpy().ravel(order="F")})


def is_table_matrix(x: Any) -> bool:
    """A two-way table made by :func:`r_table`."""
    return isinstance(x, pd.DataFrame) and (x.attrs.get("r_class") or [None])[0] == "table"


def r_as_list(x: Any) -> Any:
    """R's ``as.list``: a data frame -> its columns by name (a dict); a vector -> a list."""
    if isinstance(x, pd.DataFrame):
        return {c: x[c].reset_index(drop=True) for c in x.columns}
    if isinstance(x, dict):
        return dict(x)
    if isinstance(x, (pd.Series, pd.Index, np.ndarray, list, tuple, range)):
        return list(x)
    return [x]


def r_dollar(x: Any, name: str, exact: bool = False) -> Any:
    """R's ``x$name`` (``exact``: ``x[["name"]]``) on a data frame or list: the exact name,
    else (``$`` only) the one name it is a prefix of (R's partial matching: ``d$TBFM``
    reads a column ``"TBFM "``); no match or an ambiguous prefix is R's NULL (None), as is
    any element of NULL. Other objects (a fit, a table) are indexed as they are."""
    if isinstance(x, Untranslated):
        return x._use()
    if x is None:
        return None
    if isinstance(x, pd.DataFrame):
        keys = list(x.columns)
    elif isinstance(x, dict):
        keys = list(x)
    elif type(x).__name__ == "AsremlFit":
        from asr_py.translate.rsubname import fit_dollar

        return fit_dollar(x, name)          # a fit passed to a function (m$residuals)
    else:
        return x[name]
    if name in keys:
        return x[name]
    hits = [] if exact else [k for k in keys if isinstance(k, str) and k.startswith(name)]
    return x[hits[0]] if len(hits) == 1 else None


def _cat_text(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float | np.floating):
        f = float(v)
        return "NA" if np.isnan(f) else str(int(f)) if f.is_integer() and abs(f) < 1e15 \
            else f"{f:.7g}"                      # R prints 7 significant digits
    if v is None:
        return "NULL"
    return str(v)


def r_cat(*xs: Any, sep: str = " ") -> None:
    """R's ``cat(...)``: every element of every argument (a vector's values, not its
    print form) as R formats them, separated by ``sep``, with no newline added."""
    parts: list[str] = []
    for x in xs:
        if isinstance(x, Untranslated):
            x = x._use()
        if isinstance(x, pd.DataFrame):
            raise AsrError("cat(): a data frame is a list, which R's cat() refuses",
                           hint="print() it instead")
        if isinstance(x, pd.Series | pd.Index | np.ndarray | list | tuple | range):
            parts += [_cat_text(v) for v in np.asarray(list(x), dtype=object).ravel()]
        else:
            parts.append(_cat_text(x))
    print(sep.join(parts), end="")


def r_source(path: str, into: dict[str, Any]) -> None:
    """R's ``source(file)``: the R file translated by asr_py.translate and run in the
    script's globals (its functions and variables become the script's, as in R); an
    http(s) URL is downloaded into a cache first (rsource_url.fetch_source)."""
    from asr_py.translate.rsource_url import fetch_source, is_url

    p = fetch_source(path) if is_url(path) else Path(path)
    if not p.exists():
        raise AsrError(f"source: no file {path!r}", hint="run the script from its folder")
    from asr_py.translate import translate

    code = translate(p.read_text(encoding="utf-8", errors="replace"))
    exec(compile(code, str(p.with_suffix(".py")), "exec"), into)  # noqa: S102


def r_sourced(name: str, scope: dict[str, Any]) -> Any:
    """A function a source()d file defined (by its Python name), else one that returns a
    placeholder saying ``name()`` was not translated. The call's R argument names
    (``fa.outs(m, name.env = "env")``, written as the translation could not know the
    function) reach the parameters the translation named (``name_env``)."""
    import inspect

    from asr_py.translate.printer import pyname

    fn = scope.get(pyname(name))
    if not callable(fn):
        return lambda *a, **k: Untranslated(f"{name}()", "")
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return fn

    def call(*a: Any, **k: Any) -> Any:
        kw = {pyname(n) if n not in params and pyname(n) in params else n: v
              for n, v in k.items()}
        return fn(*a, **kw)

    return call


def r_rownames_to_column(d: Any, var: str = "rowname") -> Any:
    """tibble's ``rownames_to_column(d, var)``: the row names as text in a first column
    ``var``, rows renumbered."""
    if isinstance(d, Untranslated):
        return d._use()
    out = d.copy()
    out.insert(0, var, [str(i) for i in d.index])
    return out.reset_index(drop=True)


def r_column_to_rownames(d: Any, var: str = "rowname") -> Any:
    """tibble's ``column_to_rownames(d, var)``: the column ``var`` as the row names."""
    if isinstance(d, Untranslated):
        return d._use()
    return d.set_index(var).rename_axis(None)


def r_import(path: str, which: Any = None) -> Any:
    """rio's ``import(file, which = / sheet =)``: the reader by the file's extension (.csv,
    .tsv/.txt, .xlsx/.xls, .rds, .rda/.RData); ``which`` a spreadsheet's sheet (a name or
    R's 1-based position)."""
    ext = Path(path).suffix.lower()
    if which is not None and ext not in (".xlsx", ".xls", ".xlsm"):
        raise AsrError(f"import(): which/sheet = {which!r} given for a '{ext}' file ({path})",
                       hint="only a spreadsheet has sheets")
    if which is not None:
        return r_read_excel(path, sheet=which)
    if ext == ".csv":
        return pd.read_csv(path)
    if ext in (".tsv", ".txt", ".tab"):
        return pd.read_csv(path, sep="\t")
    if ext in (".xlsx", ".xls", ".xlsm"):
        return pd.read_excel(path)
    if ext == ".rds":
        return read_rds(path)
    if ext in (".rda", ".rdata"):
        frames = list(load_rdata(path).values())
        return frames[0] if len(frames) == 1 else frames
    raise AsrError(f"import(): no reader for '{ext}' files ({path})",
                   hint="read the file with pandas")


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and \
        not isinstance(v, (bool, np.bool_)) and not (isinstance(v, float) and np.isnan(v))


def _text_and_numbers(xs: list[Any], items: list[Any]) -> bool:
    """Whether one side of match() holds text and the other numbers (R compares as text)."""
    def text(vals: list[Any]) -> bool:
        return any(isinstance(v, str) for v in vals)

    def nums(vals: list[Any]) -> bool:
        return any(_is_number(v) for v in vals)
    return text(xs) and nums(items) and not text(items) or \
        text(items) and nums(xs) and not text(xs)


def r_match(x: Any, table: Any, nomatch: Any = None) -> Any:
    """R's ``match(x, table, nomatch)``: the 1-based position of the first match of each
    value of ``x`` in ``table`` (``nomatch``, by default None - R's NA - where there is
    none); one value for one ``x``."""
    if isinstance(x, Untranslated) or isinstance(table, Untranslated):
        return (x if isinstance(x, Untranslated) else table)._use()
    if x is None:
        return []                           # match(NULL, t) is integer(0)
    items = [] if table is None else list(table) if not isinstance(table, str) else [table]
    if isinstance(x, pd.DataFrame) or isinstance(x, np.ndarray) and x.ndim > 1:
        x = np.asarray(x).ravel(order="F")        # a matrix: its elements, column-major
    xs = list(x) if isinstance(x, (list, tuple, np.ndarray, pd.Series, pd.Index,
                                   pd.api.extensions.ExtensionArray)) else [x]
    if _text_and_numbers(xs, items):
        # R coerces both to character: a factor's labels "100215" match the numbers 100215
        items = [_r_label(v) if _is_number(v) else v for v in items]
        xs = [_r_label(v) if _is_number(v) else v for v in xs]
        x = xs if isinstance(x, (list, tuple, np.ndarray, pd.Series, pd.Index,
                                 pd.api.extensions.ExtensionArray)) else xs[0]
    first: dict[Any, int] = {}
    for i, v in enumerate(items):
        first.setdefault(v, i + 1)
    from asr_py.translate.rdesign import ASREML42_NAMES as a42  # fit$design, asreml 4.2

    def pos(v: Any) -> Any:
        k = first.get(v)
        k = first.get(a42.get(v)) if k is None and isinstance(v, str) else k
        return nomatch if k is None else k

    if isinstance(x, (list, tuple, np.ndarray, pd.Series, pd.Index,
                      pd.api.extensions.ExtensionArray)):
        return [pos(v) for v in x]          # (an ExtensionArray: e.g. pandas' Arrow strings)
    return pos(x)


def r_prop_table(x: Any) -> Any:
    """R's ``prop.table(x)`` (``proportions``): ``x / sum(x)``; a table's (a Series') or a
    named vector's names kept, a matrix's shape kept."""
    if isinstance(x, Untranslated):
        return x._use()
    if isinstance(x, dict):
        tot = sum(x.values())
        return {k: v / tot for k, v in x.items()}
    if isinstance(x, pd.Series | pd.DataFrame):
        return x / x.to_numpy().sum()
    arr = np.asarray(x, dtype=float)
    return arr / arr.sum()
