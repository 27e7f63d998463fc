module image-policy-controller.local/policy-judge

go 1.25.0
