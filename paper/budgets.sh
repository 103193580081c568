# The budgets of paper/make.sh, in one place. Sourced by make.sh.
#   quick   CI and a first look: minutes on 2 cores.
#   small   the committed figures: about half an hour on 2 cores.
#   medium  Distill's grid, pool, batch and rollout lengths for 500 iterations per run (the length
#           of the lever study's full-recipe runs): about 9 hours on 2 cores.
#   full    the Distill recipe itself (the default): 8000 iterations per run, learning rate
#           lowered tenfold at 2000; about 6 days on 2 cores, most of it SO(2) and O(2).
# BASE_S is the baseline's seconds per training iteration on 2 cores at the budget's shape, and
# COST each model's cost per iteration relative to it (both measured; see README.md): together
# they give the estimate of the time left printed before any run of a call has finished.
# TEXTURE_* set the texture section: stripes of TEXTURE_PERIOD pixels on a TEXTURE_SIZE torus,
# TEXTURE_TRAIN's recipe (persistent pool) for the baseline and C4, evaluated TEXTURE_EVAL_STEPS
# steps from the all-alive start turned by each quarter turn.
# shellcheck shell=bash disable=SC2034  # every variable here is read by make.sh, which sources it

# At Distill's shape (bench/RESULTS.md, fused paths). The steerable model has its fused step since
# 2026-12-06 (1.5x growing per training iteration there, 1.0x at the small budget's shape); its
# small-grid costs below are the isotropic model's, the nearest fused rule, until run logs say.
# d4, c8 and c16 grew to the baseline's parameter count on 2026-12-07 (4 / 48, 4 / 48, 3 / 32
# fields); their small-grid costs below are the older sizes' scaled by the Distill-shape ratio of
# new to old (d4 1.7, c8 1.4, c16 2.3), estimates until run logs say. The layers at Schur's
# minimum (later on 2026-12-07) cut the group models' Distill-shape costs by 0.38-0.83; the
# small-grid costs below are scaled by the same ratios (c4 0.83, d4 0.56, c8 0.68, c16 0.62,
# so2 0.65, o2 0.38), estimates too.
declare -A COST=([growing]=1 [isotropic]=0.8 [steerable]=1.4 [c4]=2.0 [d4]=2.3 [c8]=2.5 [c16]=4.1 [so2]=6.2
                 [o2]=9.9)
case "$BUDGET" in
  quick)
    TRAIN=(--target-size 16 --pad 6 --batch 4 --pool-size 64 --steps-min 24 --steps-max 32
           --iterations 40 --lr-drop 30 --checkpoint-every 20 --log-every 10)
    ITERATIONS=40
    EVAL_STEPS=32
    GROW_STEPS=32
    ANGLES=(30 45 60 90 120 135 150 180 210 225 240 270 300 315 330)
    BASE_S=0.03
    # On small grids fixed costs dominate (this budget's run logs).
    COST=([growing]=1 [isotropic]=2.3 [steerable]=2.3 [c4]=3.2 [d4]=3.4 [c8]=4.0 [c16]=3.3 [so2]=7.2 [o2]=9.1)
    TEXTURE_SIZE=12
    TEXTURE_PERIOD=4
    TEXTURE_TRAIN=(--batch 4 --pool-size 16 --steps-min 8 --steps-max 12 --iterations 40 --checkpoint-every 20 --log-every 10)
    TEXTURE_EVAL_STEPS=24
    ;;
  small)
    TRAIN=(--target-size 24 --pad 8 --batch 8 --pool-size 256 --steps-min 48 --steps-max 64
           --iterations 200 --lr-drop 150 --checkpoint-every 50 --log-every 10)
    ITERATIONS=200
    EVAL_STEPS=64
    GROW_STEPS=64
    ANGLES=(15 30 45 60 75 90 105 120 135 150 165 180 195 210 225 240 255 270 285 300 315 330 345)
    BASE_S=0.085
    COST=([growing]=1 [isotropic]=2.4 [steerable]=2.4 [c4]=2.2 [d4]=2.1 [c8]=2.9 [c16]=3.6 [so2]=3.9 [o2]=7.2)
    TEXTURE_SIZE=24
    TEXTURE_PERIOD=8
    TEXTURE_TRAIN=(--batch 4 --pool-size 128 --steps-min 24 --steps-max 32 --iterations 1200 --checkpoint-every 100 --log-every 10)
    TEXTURE_EVAL_STEPS=64
    ;;
  medium)
    TRAIN=(--target-size 40 --pad 16 --batch 8 --pool-size 1024 --steps-min 64 --steps-max 96
           --iterations 500 --lr-drop 400 --checkpoint-every 50 --log-every 10)
    ITERATIONS=500
    EVAL_STEPS=96
    GROW_STEPS=96
    ANGLES=(15 30 45 60 75 90 105 120 135 150 165 180 195 210 225 240 255 270 285 300 315 330 345)
    BASE_S=1.17
    TEXTURE_SIZE=48
    TEXTURE_PERIOD=12
    TEXTURE_TRAIN=(--batch 4 --pool-size 256 --steps-min 32 --steps-max 64 --iterations 2000 --checkpoint-every 100 --log-every 10)
    TEXTURE_EVAL_STEPS=128
    ;;
  full)
    TRAIN=(--target-size 40 --pad 16 --batch 8 --pool-size 1024 --steps-min 64 --steps-max 96
           --iterations 8000 --lr-drop 2000 --checkpoint-every 100 --log-every 10)
    ITERATIONS=8000
    EVAL_STEPS=96
    GROW_STEPS=96
    ANGLES=(15 30 45 60 75 90 105 120 135 150 165 180 195 210 225 240 255 270 285 300 315 330 345)
    BASE_S=1.17
    TEXTURE_SIZE=64
    TEXTURE_PERIOD=16
    TEXTURE_TRAIN=(--batch 4 --pool-size 1024 --steps-min 32 --steps-max 96 --iterations 8000 --lr-drop 2000 --checkpoint-every 100 --log-every 10)
    TEXTURE_EVAL_STEPS=192
    ;;
  *)
    echo "paper/make.sh: unknown budget '$BUDGET' (quick, small, medium or full)" >&2
    exit 2
    ;;
esac
