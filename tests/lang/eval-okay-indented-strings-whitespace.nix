[ ''
    trailing-spaces-line-next   
  
    end
  '' ]
